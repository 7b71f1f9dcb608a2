-- stemtrace catalog, migration 0007: what made each run (docs/FORMAT.md, "runs").
-- Rows of earlier versions keep NULL in every new column: nothing was recorded then.

ALTER TABLE runs ADD COLUMN stemtrace_version TEXT;   -- e.g. 0.1.0
ALTER TABLE runs ADD COLUMN git_commit TEXT;          -- commit built from; 'unknown' without git; '-dirty' suffix
ALTER TABLE runs ADD COLUMN libraries TEXT;           -- JSON {name: version} of the libraries loaded
ALTER TABLE runs ADD COLUMN host TEXT;                -- host name
ALTER TABLE runs ADD COLUMN cpu TEXT;                 -- CPU model (/proc/cpuinfo)
ALTER TABLE runs ADD COLUMN threads INTEGER;          -- processors available to the process
ALTER TABLE runs ADD COLUMN command_line TEXT;        -- JSON array of the process's arguments
