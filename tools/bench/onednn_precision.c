// oneDNN precision benchmark (tools/bench/bf16): per convolution layer of RF-ResNet (and musicnn's
// front/mid end), the median time of oneDNN 2.x primitives in
//   wino f32      fp32 Winograd (3×3 stride-1 layers only), what stemtrace runs today for 3×3;
//   direct f32    fp32 direct convolution;
//   bf16→f32      bf16 src and weights, f32 dst (AVX-512 BF16 when oneDNN dispatches to it);
//   bf16→bf16     bf16 src, weights and dst;
//   u8s8→f32      int8: u8 src, s8 weights, f32 dst, output scale (VNNI when available);
// all with format_tag_any (oneDNN's preferred layouts: nhwc for its brgconv kernels, nChw16c for
// Winograd), weights reordered once, batch as listed.
// Each line gives the implementation oneDNN chose (dnnl_query_impl_info_str), the median
// primitive time, its direct-equivalent GFLOP/s, the median time of reordering the input from
// plain NCHW f32 into the layout and type the primitive wants (the real pipeline pays it), and the
// largest absolute difference of the output from the fp32 direct output (with the largest |ref|).
// int8: the input is rectified (u8 holds [0, 1] × 255, as after a ReLU) and compared with fp32
// direct on the same rectified input; per-tensor weight scale.
//
// Layers with a coordinate channel (C_in = 2^k + 1) are also run with C_in − 1 ("coord folded"),
// which is how stemtrace's Winograd path runs them (the coordinate channel's share is added in the
// epilogue); oneDNN 2.6.3 also accepts C_in = 129 for Winograd, padding the channels to 16·k.
//
//   cc -O2 -fopenmp -Wall -Wextra tools/bench/onednn_precision.c -ldnnl -o BIN
//   OMP_NUM_THREADS=1 BIN [REPEAT [FILTER]]     (REPEAT default 9; FILTER: substring of layer names)
#define _POSIX_C_SOURCE 200809L // clock_gettime under -std=c11
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

static void check_status(dnnl_status_t s, const char *call, int line) {
    if (s != dnnl_success) {
        fprintf(stderr, "onednn_precision.c:%d: %s failed: %s\n", line, call, dnnl_status2str(s));
        exit(1);
    }
}
#define CHECK(call) check_status((call), #call, __LINE__)

typedef struct {
    const char *name;
    int n, ic, oc, ih, iw, kh, kw, sh, sw, pt, pb, pl, pr;
    int coord; // 1: the last input channel is a coordinate channel (also run with ic − 1)
} layer_t;

enum { WINO_F32, DIRECT_F32, DIRECT_BF16_F32, DIRECT_BF16_BF16, DIRECT_U8S8_F32, VARIANTS };
static const char *variant_names[VARIANTS] = {"wino f32", "direct f32", "bf16->f32", "bf16->bf16", "u8s8->f32"};

static dnnl_engine_t engine;
static dnnl_stream_t stream;
static int repeat = 9;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Small float helpers, so that the program needs no -lm.
static float maxf(float a, float b) { return a > b ? a : b; }
static double absd(double a) { return a < 0 ? -a : a; }
static double sqrt_newton(double a) { // a > 0
    double r = a > 1 ? a : 1;
    for (int i = 0; i < 60; i++) r = 0.5 * (r + a / r);
    return r;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static float uniform(void) { // [-1, 1)
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((double)(rng_state >> 11) * (2.0 / 9007199254740992.0) - 1.0);
}

static int out_h(const layer_t *l) { return (l->ih + l->pt + l->pb - l->kh) / l->sh + 1; }
static int out_w(const layer_t *l) { return (l->iw + l->pl + l->pr - l->kw) / l->sw + 1; }

// A 4-D activation layout in oneDNN's tag notation, with the data type: "f32:nChw16c", "bf16:nhwc".
static void describe_md(const dnnl_memory_desc_t *md, char *buf, size_t size) {
    const char *dt = dnnl_dt2str(md->data_type);
    if (md->format_kind != dnnl_blocked || md->ndims != 4) {
        snprintf(buf, size, "%s:%s", dt, dnnl_fmt_kind2str(md->format_kind));
        return;
    }
    const dnnl_blocking_desc_t *b = &md->format_desc.blocking;
    // Dimensions by decreasing outer stride (insertion sort, stable); on a tie a dimension of size 1
    // goes inner (C = 1 in nhwc has the stride of w).
    int order[4] = {0, 1, 2, 3};
    for (int i = 1; i < 4; i++)
        for (int j = i; j > 0; j--) {
            const int inner = order[j - 1], outer = order[j];
            const dnnl_dim_t si = b->strides[inner], so = b->strides[outer];
            if (!(so > si || (so == si && md->dims[inner] == 1 && md->dims[outer] != 1))) break;
            order[j - 1] = outer;
            order[j] = inner;
        }
    int pos = snprintf(buf, size, "%s:", dt);
    for (int i = 0; i < 4 && pos > 0 && (size_t)pos < size; i++) {
        int blocked = 0;
        for (int k = 0; k < b->inner_nblks; k++) blocked |= b->inner_idxs[k] == order[i];
        pos += snprintf(buf + pos, size - (size_t)pos, "%c", blocked ? "NCHW"[order[i]] : "nchw"[order[i]]);
    }
    for (int k = 0; k < b->inner_nblks && pos > 0 && (size_t)pos < size; k++)
        pos += snprintf(buf + pos, size - (size_t)pos, "%lld%c", (long long)b->inner_blks[k], "nchw"[b->inner_idxs[k]]);
}

static dnnl_primitive_t make_reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, float scale) {
    dnnl_primitive_attr_t attr = NULL;
    if (scale != 1.0f) {
        CHECK(dnnl_primitive_attr_create(&attr));
        CHECK(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &scale));
    }
    dnnl_primitive_desc_t pd;
    CHECK(dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, attr));
    dnnl_primitive_t p;
    CHECK(dnnl_primitive_create(&p, pd));
    CHECK(dnnl_primitive_desc_destroy(pd));
    if (attr) CHECK(dnnl_primitive_attr_destroy(attr));
    return p;
}

static void run_reorder(dnnl_primitive_t r, dnnl_memory_t from, dnnl_memory_t to) {
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    CHECK(dnnl_primitive_execute(r, stream, 2, args));
    CHECK(dnnl_stream_wait(stream));
}

// Runs one variant of one layer. x: NCHW f32 input, w: OIHW f32 weights. When out is non-NULL the
// output (NCHW f32) is written there; when ref is non-NULL the difference from it is reported.
// quiet: execute once, print nothing (used for references). Returns 0 when unavailable.
static int run_variant(const layer_t *l, int v, const float *x, const float *w, const float *ref, float *out, int quiet) {
    const int oh = out_h(l), ow = out_w(l);
    dnnl_dims_t src_dims = {l->n, l->ic, l->ih, l->iw};
    dnnl_dims_t wei_dims = {l->oc, l->ic, l->kh, l->kw};
    dnnl_dims_t dst_dims = {l->n, l->oc, oh, ow};
    dnnl_dims_t strides = {l->sh, l->sw};
    dnnl_dims_t pad_l = {l->pt, l->pl};
    dnnl_dims_t pad_r = {l->pb, l->pr};

    dnnl_data_type_t src_dt = dnnl_f32, wei_dt = dnnl_f32, dst_dt = dnnl_f32;
    if (v == DIRECT_BF16_F32 || v == DIRECT_BF16_BF16) src_dt = wei_dt = dnnl_bf16;
    if (v == DIRECT_BF16_BF16) dst_dt = dnnl_bf16;
    if (v == DIRECT_U8S8_F32) src_dt = dnnl_u8, wei_dt = dnnl_s8;
    const dnnl_alg_kind_t alg = v == WINO_F32 ? dnnl_convolution_winograd : dnnl_convolution_direct;

    dnnl_memory_desc_t src_any, wei_any, dst_any;
    CHECK(dnnl_memory_desc_init_by_tag(&src_any, 4, src_dims, src_dt, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&wei_any, 4, wei_dims, wei_dt, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&dst_any, 4, dst_dims, dst_dt, dnnl_format_tag_any));
    dnnl_convolution_desc_t cd;
    CHECK(dnnl_convolution_forward_desc_init(
        &cd, dnnl_forward_inference, alg, &src_any, &wei_any, NULL, &dst_any, strides, pad_l, pad_r));

    // int8 scales: src u8 = relu(x) · 255, weights s8 = w · ws; the conv's output scale undoes both.
    float wmax = 0;
    const size_t wcount = (size_t)l->oc * (size_t)l->ic * (size_t)l->kh * (size_t)l->kw;
    for (size_t i = 0; i < wcount; i++) wmax = maxf(wmax, (float)absd(w[i]));
    const float xs = v == DIRECT_U8S8_F32 ? 255.0f : 1.0f;
    const float ws = v == DIRECT_U8S8_F32 ? 127.0f / wmax : 1.0f;

    dnnl_primitive_attr_t attr;
    CHECK(dnnl_primitive_attr_create(&attr));
    CHECK(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user));
    if (v == DIRECT_U8S8_F32) {
        const float os = 1.0f / (xs * ws);
        CHECK(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &os));
    }
    dnnl_primitive_desc_t pd;
    dnnl_status_t st = dnnl_primitive_desc_create(&pd, &cd, attr, engine, NULL);
    CHECK(dnnl_primitive_attr_destroy(attr));
    if (st != dnnl_success) {
        if (!quiet) printf("  %-11s unavailable (%s)\n", variant_names[v], dnnl_status2str(st));
        return 0;
    }
    const char *impl = "?";
    CHECK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));
    const dnnl_memory_desc_t *src_md = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *wei_md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *dst_md = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    const dnnl_memory_desc_t *pad_md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    if (!src_md || !wei_md || !dst_md || !pad_md) {
        fprintf(stderr, "dnnl_primitive_desc_query_md failed\n");
        exit(1);
    }
    char src_fmt[64];
    describe_md(src_md, src_fmt, sizeof src_fmt);

    // User (plain f32) memories. The int8 input is rectified first.
    const size_t xcount = (size_t)l->n * (size_t)l->ic * (size_t)l->ih * (size_t)l->iw;
    float *xr = NULL;
    if (v == DIRECT_U8S8_F32) {
        xr = malloc(xcount * sizeof *xr);
        if (!xr) exit(1);
        for (size_t i = 0; i < xcount; i++) xr[i] = maxf(x[i], 0.0f);
    }
    dnnl_memory_desc_t x_md, w_md, y_md;
    CHECK(dnnl_memory_desc_init_by_tag(&x_md, 4, src_dims, dnnl_f32, dnnl_nchw));
    CHECK(dnnl_memory_desc_init_by_tag(&w_md, 4, wei_dims, dnnl_f32, dnnl_oihw));
    CHECK(dnnl_memory_desc_init_by_tag(&y_md, 4, dst_dims, dnnl_f32, dnnl_nchw));
    dnnl_memory_t x_mem, w_mem, y_mem, src_mem, wei_mem, dst_mem, pad_mem;
    CHECK(dnnl_memory_create(&x_mem, &x_md, engine, xr ? xr : (void *)x));
    CHECK(dnnl_memory_create(&w_mem, &w_md, engine, (void *)w));
    CHECK(dnnl_memory_create(&y_mem, &y_md, engine, DNNL_MEMORY_ALLOCATE));
    CHECK(dnnl_memory_create(&src_mem, src_md, engine, DNNL_MEMORY_ALLOCATE));
    CHECK(dnnl_memory_create(&wei_mem, wei_md, engine, DNNL_MEMORY_ALLOCATE));
    CHECK(dnnl_memory_create(&dst_mem, dst_md, engine, DNNL_MEMORY_ALLOCATE));
    CHECK(dnnl_memory_create(&pad_mem, pad_md, engine, DNNL_MEMORY_ALLOCATE));

    dnnl_primitive_t src_reorder = make_reorder(&x_md, src_md, xs);
    dnnl_primitive_t wei_reorder = make_reorder(&w_md, wei_md, ws);
    dnnl_primitive_t dst_reorder = make_reorder(dst_md, &y_md, 1.0f);
    dnnl_primitive_t conv;
    CHECK(dnnl_primitive_create(&conv, pd));
    CHECK(dnnl_primitive_desc_destroy(pd));

    run_reorder(wei_reorder, w_mem, wei_mem);
    dnnl_exec_arg_t args[4] = {
        {DNNL_ARG_SRC, src_mem}, {DNNL_ARG_WEIGHTS, wei_mem}, {DNNL_ARG_DST, dst_mem}, {DNNL_ARG_SCRATCHPAD, pad_mem}};
    const int runs = quiet ? 1 : repeat + 2;
    double *conv_ms = calloc((size_t)runs, sizeof(double)), *reorder_ms = calloc((size_t)runs, sizeof(double));
    if (!conv_ms || !reorder_ms) exit(1);
    for (int r = 0; r < runs; r++) {
        double t0 = now_ms();
        run_reorder(src_reorder, x_mem, src_mem);
        double t1 = now_ms();
        CHECK(dnnl_primitive_execute(conv, stream, 4, args));
        CHECK(dnnl_stream_wait(stream));
        double t2 = now_ms();
        reorder_ms[r] = t1 - t0;
        conv_ms[r] = t2 - t1;
    }
    run_reorder(dst_reorder, dst_mem, y_mem);
    void *yp;
    CHECK(dnnl_memory_get_data_handle(y_mem, &yp));
    const float *y = yp;
    const size_t ycount = (size_t)l->n * (size_t)l->oc * (size_t)oh * (size_t)ow;
    if (out) memcpy(out, y, ycount * sizeof *y);

    if (!quiet) {
        double maxdiff = 0, refmax = 0;
        if (ref) {
            for (size_t i = 0; i < ycount; i++) {
                double d = absd((double)y[i] - (double)ref[i]), a = absd((double)ref[i]);
                if (d > maxdiff) maxdiff = d;
                if (a > refmax) refmax = a;
            }
        }
        // Medians over the timed runs (the first two are warm-ups).
        double cm = median(conv_ms + 2, repeat), rm = median(reorder_ms + 2, repeat);
        double flops = 2.0 * l->n * l->oc * oh * ow * (double)l->ic * l->kh * l->kw;
        printf("  %-11s %-30s conv %9.3f ms %7.1f GFLOP/s  src reorder (%s) %7.3f ms", variant_names[v], impl, cm,
               flops / (cm * 1e6), src_fmt, rm);
        if (ref) printf("  maxdiff %.2e (|ref| max %.2f)", maxdiff, refmax);
        printf("\n");
    }

    free(conv_ms);
    free(reorder_ms);
    free(xr);
    CHECK(dnnl_primitive_destroy(conv));
    CHECK(dnnl_primitive_destroy(src_reorder));
    CHECK(dnnl_primitive_destroy(wei_reorder));
    CHECK(dnnl_primitive_destroy(dst_reorder));
    dnnl_memory_t mems[] = {x_mem, w_mem, y_mem, src_mem, wei_mem, dst_mem, pad_mem};
    for (size_t i = 0; i < sizeof mems / sizeof *mems; i++) CHECK(dnnl_memory_destroy(mems[i]));
    return 1;
}

static void run_layer(const layer_t *l, const char *label) {
    const int oh = out_h(l), ow = out_w(l);
    printf("%s%s: N=%d %d->%d  %dx%d  k %dx%d  s %d,%d  pad t%d b%d l%d r%d  -> %dx%d\n", l->name, label, l->n, l->ic,
           l->oc, l->ih, l->iw, l->kh, l->kw, l->sh, l->sw, l->pt, l->pb, l->pl, l->pr, oh, ow);
    const size_t xcount = (size_t)l->n * (size_t)l->ic * (size_t)l->ih * (size_t)l->iw;
    const size_t wcount = (size_t)l->oc * (size_t)l->ic * (size_t)l->kh * (size_t)l->kw;
    const size_t ycount = (size_t)l->n * (size_t)l->oc * (size_t)oh * (size_t)ow;
    float *x = malloc(xcount * sizeof *x), *w = malloc(wcount * sizeof *w);
    float *ref = malloc(ycount * sizeof *ref), *ref_relu = malloc(ycount * sizeof *ref_relu);
    float *x_relu = malloc(xcount * sizeof *x_relu);
    if (!x || !w || !ref || !ref_relu || !x_relu) exit(1);
    const float wscale = (float)(1.0 / sqrt_newton((double)l->ic * l->kh * l->kw));
    for (size_t i = 0; i < xcount; i++) x[i] = uniform();
    for (size_t i = 0; i < wcount; i++) w[i] = uniform() * wscale;
    for (size_t i = 0; i < xcount; i++) x_relu[i] = maxf(x[i], 0.0f);

    // fp32 direct first: it is the reference for the others.
    int have_ref = run_variant(l, DIRECT_F32, x, w, NULL, ref, 0);
    if (l->kh == 3 && l->kw == 3 && l->sh == 1 && l->sw == 1)
        run_variant(l, WINO_F32, x, w, have_ref ? ref : NULL, NULL, 0);
    run_variant(l, DIRECT_BF16_F32, x, w, have_ref ? ref : NULL, NULL, 0);
    run_variant(l, DIRECT_BF16_BF16, x, w, have_ref ? ref : NULL, NULL, 0);
    int have_relu_ref = have_ref && run_variant(l, DIRECT_F32, x_relu, w, NULL, ref_relu, 1);
    run_variant(l, DIRECT_U8S8_F32, x, w, have_relu_ref ? ref_relu : NULL, NULL, 0);
    free(x);
    free(w);
    free(ref);
    free(ref_relu);
    free(x_relu);
}

int main(int argc, char **argv) {
    if (argc > 1) repeat = atoi(argv[1]);
    if (repeat < 1) {
        fprintf(stderr, "usage: %s [REPEAT [FILTER]]\n", argv[0]);
        return 64;
    }
    const char *filter = argc > 2 ? argv[2] : NULL;

    // RF-ResNet, input 1×1×149×1252: the model's convolutions at batch 1 (padding k/3 in blocks).
    // musicnn MSD_musicnn, 10 patches (187 frames × 96 mel bands): timbral convs on H = 187 frames,
    // W = 96 bands (time padded 3/3, VALID in frequency); temporal convs on the transposed input,
    // H = 96 bands, W = 187 frames, kernel 1×k with TF SAME padding in time; mid end 7×1 on
    // 187 frames × 1 over the channels.
    static const layer_t layers[] = {
        {"rfresnet in_c", 1, 1, 128, 149, 1252, 5, 5, 2, 2, 1, 1, 1, 1, 0},
        {"rfresnet stage1.block1.conv1", 1, 129, 128, 74, 625, 3, 3, 1, 1, 1, 1, 1, 1, 1},
        {"rfresnet stage1.block1.conv2", 1, 129, 128, 74, 625, 1, 1, 1, 1, 0, 0, 0, 0, 1},
        {"rfresnet stage1.block2.conv1", 1, 129, 128, 37, 312, 3, 3, 1, 1, 1, 1, 1, 1, 1},
        {"rfresnet stage1.block2.conv2", 1, 129, 128, 37, 312, 3, 3, 1, 1, 1, 1, 1, 1, 1},
        {"rfresnet stage1.block3.conv1/conv2", 1, 129, 128, 18, 156, 3, 3, 1, 1, 1, 1, 1, 1, 1},
        {"rfresnet stage2.block1.conv1", 1, 129, 256, 18, 156, 3, 3, 1, 1, 1, 1, 1, 1, 1},
        {"rfresnet stage2.block1.conv2", 1, 257, 256, 18, 156, 3, 3, 1, 1, 1, 1, 1, 1, 1},
        {"rfresnet stage2.block1.shortcut", 1, 128, 256, 18, 156, 1, 1, 1, 1, 0, 0, 0, 0, 0},
        {"rfresnet stage3.block1.conv1", 1, 257, 512, 18, 156, 1, 1, 1, 1, 0, 0, 0, 0, 1},
        {"rfresnet stage3.block1.conv2", 1, 513, 512, 18, 156, 1, 1, 1, 1, 0, 0, 0, 0, 1},
        {"rfresnet stage3.block1.shortcut", 1, 256, 512, 18, 156, 1, 1, 1, 1, 0, 0, 0, 0, 0},
        {"musicnn timbral f74 (7x38)", 10, 1, 204, 187, 96, 7, 38, 1, 1, 3, 3, 0, 0, 0},
        {"musicnn timbral f77 (7x67)", 10, 1, 204, 187, 96, 7, 67, 1, 1, 3, 3, 0, 0, 0},
        {"musicnn temporal s1 (1x128)", 10, 1, 51, 96, 187, 1, 128, 1, 1, 0, 0, 63, 64, 0},
        {"musicnn temporal s2 (1x64)", 10, 1, 51, 96, 187, 1, 64, 1, 1, 0, 0, 31, 32, 0},
        {"musicnn temporal s3 (1x32)", 10, 1, 51, 96, 187, 1, 32, 1, 1, 0, 0, 15, 16, 0},
        {"musicnn mid m1 (7x1)", 10, 561, 64, 187, 1, 7, 1, 1, 1, 3, 3, 0, 0, 0},
        {"musicnn mid m2/m3 (7x1)", 10, 64, 64, 187, 1, 7, 1, 1, 1, 3, 3, 0, 0, 0},
    };

    const dnnl_version_t *ver = dnnl_version();
    printf("oneDNN %d.%d.%d (%s), effective ISA %s, OpenMP max threads %d, median of %d runs after 2 warm-ups\n",
           ver->major, ver->minor, ver->patch, ver->hash ? ver->hash : "?",
           dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()), omp_get_max_threads(), repeat);
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));

    for (size_t i = 0; i < sizeof layers / sizeof *layers; i++) {
        const layer_t *l = &layers[i];
        if (filter && !strstr(l->name, filter)) continue;
        run_layer(l, "");
        if (l->coord) {
            layer_t folded = *l;
            folded.ic -= 1;
            run_layer(&folded, " (coord folded)");
        }
    }
    CHECK(dnnl_stream_destroy(stream));
    CHECK(dnnl_engine_destroy(engine));
    return 0;
}
