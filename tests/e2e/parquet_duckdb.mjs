// parquet_duckdb.mjs — DuckDB's side of the Parquet cross-checks, run by
// tests/e2e/parquet_duckdb.sh with @duckdb/node-api (an independent Parquet
// implementation):
//
//   node parquet_duckdb.mjs check DIR   DuckDB reads every DIR/NAME.parquet that
//       weir wrote and prints "ok NAME" when its rows, in canonical text, equal
//       DIR/NAME.expected (weir's input), and the file's metadata is sane;
//   node parquet_duckdb.mjs write DIR   DuckDB writes its own cases (every type,
//       nulls, each codec, dictionary on/off, several row groups, data page v2)
//       as DIR/NAME.parquet, with DIR/NAME.expected from DuckDB reading them;
//   node parquet_duckdb.mjs bench DIR N DuckDB writes and reads N rows of the
//       benchmark's 4 columns and prints rows/s and MB/s.
//
// Canonical text is the one of tests/tools/parquet_tool.c: values joined by
// " | ", null, true/false, i:N, d:<64 bits in hex>, s:<hex>, b:<hex>, t:<µs>,
// {a,b} for structs.
import { DuckDBInstance, DuckDBTypeId } from '@duckdb/node-api';
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const bits = (x) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return b.toString('hex');
};
const floorDiv = (a, b) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

function canon(v, t) {
  if (v === null || v === undefined) return 'null';
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN: return v ? 'true' : 'false';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE: return 'd:' + bits(v);
    case DuckDBTypeId.DECIMAL: return 'd:' + bits(Number(v.value) / 10 ** v.scale);
    case DuckDBTypeId.VARCHAR: return 's:' + hex(Buffer.from(v, 'utf8'));
    case DuckDBTypeId.BLOB: return 'b:' + hex(v.bytes);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ: return 't:' + v.micros;
    case DuckDBTypeId.TIMESTAMP_MS: return 't:' + v.millis * 1000n;
    case DuckDBTypeId.TIMESTAMP_S: return 't:' + v.seconds * 1000000n;
    case DuckDBTypeId.TIMESTAMP_NS: return 't:' + floorDiv(v.nanos, 1000n);
    case DuckDBTypeId.DATE: return 't:' + BigInt(v.days) * 86400000000n;
    case DuckDBTypeId.STRUCT:
      return '{' + t.entryNames.map((n, i) => canon(v.entries[n], t.entryTypes[i])).join(',') + '}';
    default:
      if (typeof v === 'bigint' || typeof v === 'number') return 'i:' + v;
      return '?' + String(v);
  }
}

async function rowsOf(conn, sql) {
  const r = await conn.runAndReadAll(sql);
  const types = r.columnTypes();
  return r.getRows().map((row) => row.map((v, i) => canon(v, types[i])).join(' | ') + '\n').join('');
}

function firstDiff(a, b) {
  const x = a.split('\n'), y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if (x[i] !== y[i]) return `line ${i + 1}:\n  expected ${x[i]}\n  duckdb   ${y[i]}`;
  return '';
}

async function check(conn, dir) {
  let fails = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort()) {
    const name = f.replace(/\.parquet$/, '');
    let expected;
    try { expected = readFileSync(`${dir}/${name}.expected`, 'utf8'); } catch { continue; }
    const path = `${dir}/${f}`;
    try {
      const got = await rowsOf(conn, `SELECT * FROM read_parquet('${path}')`);
      if (got !== expected) {
        console.log(`not ok duckdb reads weir's ${name}\n${firstDiff(expected, got)}`);
        fails++;
        continue;
      }
      console.log(`ok duckdb reads weir's ${name} (${expected.split('\n').length - 1} rows)`);
      // Statistics: DuckDB's own counts agree with each chunk's null_count,
      // and min/max bound the int column.
      const m = await conn.runAndReadAll(
        `SELECT sum(stats_null_count)::BIGINT n, min(stats_min_value::BIGINT) lo, max(stats_max_value::BIGINT) hi,
                count(DISTINCT row_group_id)::BIGINT g, any_value(compression) c
         FROM parquet_metadata('${path}') WHERE path_in_schema = 'i'`);
      const c = await conn.runAndReadAll(
        `SELECT (count(*) - count(i))::BIGINT n, min(i) lo, max(i) hi FROM read_parquet('${path}')`);
      const [mn, mlo, mhi] = m.getRows()[0], [cn, clo, chi] = c.getRows()[0];
      if (mn !== cn || mlo !== clo || mhi !== chi) {
        console.log(`not ok statistics of ${name}: footer ${mn} nulls [${mlo}, ${mhi}], data ${cn} [${clo}, ${chi}]`);
        fails++;
      } else {
        console.log(`ok statistics of ${name} (${m.getRows()[0][3]} row groups, ${m.getRows()[0][4]})`);
      }
    } catch (e) {
      console.log(`not ok duckdb reads weir's ${name}: ${e}`);
      fails++;
    }
  }
  return fails;
}

const SRC = `
  SELECT
    CASE WHEN range % 7 = 3 THEN NULL ELSE range % 3 = 0 END AS b,
    CASE WHEN range % 11 = 5 THEN NULL WHEN range = 1 THEN -9223372036854775808
         ELSE range * 1000003 - 500000000 END::BIGINT AS i,
    CASE WHEN range % 5 = 2 THEN NULL ELSE (range * 7 - 3000)::INTEGER END AS i32,
    CASE WHEN range % 6 = 1 THEN NULL ELSE (range % 200 - 100)::SMALLINT END AS i16,
    (range % 256)::UTINYINT AS u8,
    CASE WHEN range % 13 = 6 THEN NULL WHEN range % 50 = 7 THEN -0.0
         ELSE range / 7 - 3.5 END::DOUBLE AS d,
    CASE WHEN range % 9 = 4 THEN NULL ELSE (range / 3)::FLOAT END AS fl,
    CASE WHEN range % 5 = 1 THEN NULL WHEN range % 97 = 0 THEN ''
         ELSE 'héllo-' || (range % 40) END AS s,
    CASE WHEN range % 4 = 0 THEN NULL ELSE 'uniq-' || range || repeat('x', range % 30) END AS u,
    CASE WHEN range % 9 = 2 THEN NULL ELSE ('\\x00\\xff' || (range % 10)::VARCHAR)::BLOB END AS bl,
    CASE WHEN range % 4 = 3 THEN NULL
         ELSE make_timestamp(1767225600123456 - range * 999)::TIMESTAMPTZ END AS tz,
    make_timestamp(range * 1000001 - 5000000000) AS ts,
    CASE WHEN range % 3 = 0 THEN NULL ELSE make_timestamp(range * 1000)::TIMESTAMP_MS END AS tms,
    make_timestamp(range * 7)::TIMESTAMP_NS AS tns,
    CASE WHEN range % 8 = 0 THEN NULL ELSE DATE '1969-12-25' + (range % 400)::INTEGER END AS dt,
    CASE WHEN range % 10 = 9 THEN NULL ELSE (range * 1.125 - 40)::DECIMAL(18,3) END AS dec,
    (range * 3.5)::DECIMAL(30,5) AS dec30,
    CASE WHEN range % 6 = 5 THEN NULL
         ELSE {'a': CASE WHEN range % 2 = 1 THEN NULL ELSE range END,
               'inner': CASE WHEN range % 10 = 4 THEN NULL
                        ELSE {'y': CASE WHEN range % 3 = 1 THEN NULL ELSE 'ü' END,
                              'z': range / 2} END} END AS st
  FROM range(%N%)`;

async function write(conn, dir) {
  const cases = [
    ['uncompressed', "COMPRESSION 'uncompressed'"],
    ['snappy', "COMPRESSION 'snappy'"],
    ['zstd', "COMPRESSION 'zstd'"],
    ['gzip', "COMPRESSION 'gzip'"],
    ['dict_off', "COMPRESSION 'snappy', DICTIONARY_SIZE_LIMIT 0"],
    ['v2_snappy', "COMPRESSION 'snappy', PARQUET_VERSION V2"],
    ['v2_zstd_dict_off', "COMPRESSION 'zstd', PARQUET_VERSION V2, DICTIONARY_SIZE_LIMIT 0"],
    ['v2_uncompressed', "COMPRESSION 'uncompressed', PARQUET_VERSION V2"],
  ];
  for (const [name, opts] of cases) {
    const path = `${dir}/duckdb_${name}.parquet`;
    await conn.run(`COPY (${SRC.replace('%N%', '10000')}) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 2048, ${opts})`);
    writeFileSync(`${dir}/duckdb_${name}.expected`, await rowsOf(conn, `SELECT * FROM read_parquet('${path}')`));
    const m = await conn.runAndReadAll(
      `SELECT count(DISTINCT row_group_id)::INT, string_agg(DISTINCT encodings, ', ') FROM parquet_metadata('${path}')`);
    console.log(`duckdb_${name}: ${m.getRows()[0][0]} row groups, encodings ${m.getRows()[0][1]}`);
  }
}

async function bench(conn, dir, n) {
  const path = `${dir}/duckdb_bench.parquet`;
  const src = `SELECT range AS id, make_timestamp(1767225600000000 + range * 1000) AS ts,
                      range * 0.5 AS x, 'user-' || (range % 1000) AS name FROM range(${n})`;
  await conn.run('SET threads = 1'); // a fair comparison with weir's one thread
  let t = process.hrtime.bigint();
  await conn.run(`COPY (${src}) TO '${path}' (FORMAT parquet, COMPRESSION 'snappy')`);
  const w = Number(process.hrtime.bigint() - t) / 1e9;
  const size = statSync(path).size;
  t = process.hrtime.bigint();
  const r = await conn.runAndReadAll(
    `SELECT count(*), sum(id), sum(epoch_us(ts)), sum(x), sum(length(name)) FROM read_parquet('${path}')`);
  const rd = Number(process.hrtime.bigint() - t) / 1e9;
  const mb = size / 1048576;
  console.log(`duckdb (1 thread) write: ${(n / w / 1e6).toFixed(2)} M rows/s, ${(mb / w).toFixed(1)} MB/s (${w.toFixed(2)} s, file ${mb.toFixed(1)} MB)`);
  console.log(`duckdb (1 thread) read:  ${(n / rd / 1e6).toFixed(2)} M rows/s, ${(mb / rd).toFixed(1)} MB/s (${rd.toFixed(2)} s; count ${r.getRows()[0][0]})`);
}

const [mode, dir, n] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:');
const conn = await inst.connect();
if (mode === 'check') process.exitCode = (await check(conn, dir)) ? 1 : 0;
else if (mode === 'write') await write(conn, dir);
else if (mode === 'bench') await bench(conn, dir, Number(n || 10000000));
else { console.error('usage: parquet_duckdb.mjs check|write|bench DIR [N]'); process.exitCode = 2; }
