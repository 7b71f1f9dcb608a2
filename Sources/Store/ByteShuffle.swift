/// The byte-shuffle filter (as in Blosc and HDF5's shuffle): byte j of every element is gathered
/// into plane j, so the slowly varying exponent bytes of floats sit together and compress better.
public enum ByteShuffle {
    public static func shuffle(_ input: UnsafeRawBufferPointer, width: Int) -> [UInt8] {
        transpose(input, rows: input.count / width, columns: width)
    }

    public static func unshuffle(_ input: UnsafeRawBufferPointer, width: Int) -> [UInt8] {
        transpose(input, rows: width, columns: input.count / width)
    }

    /// Transposes a rows × columns byte matrix; bytes past rows × columns are copied unchanged.
    private static func transpose(_ input: UnsafeRawBufferPointer, rows: Int, columns: Int) -> [UInt8] {
        let n = input.count
        return [UInt8](unsafeUninitializedCapacity: n) { out, count in
            for r in 0..<rows {
                for c in 0..<columns { out[c * rows + r] = input[r * columns + c] }
            }
            for i in (rows * columns)..<n { out[i] = input[i] }
            count = n
        }
    }
}
