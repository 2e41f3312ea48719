# Prints sse-bench's parser results against the project's targets from saved JSON output:
#   build/release/bench/sse-bench --benchmark_format=json > out.json   (or --benchmark_out=out.json)
#   jq -rf bench/ratios.jq out.json
# Uses each case's median when the run had --benchmark_repetitions, else its (last) run.
# GB = 1e9 bytes; rates are from CPU time, as Google Benchmark computes them.
[.benchmarks[] | select(.run_type == "iteration" or .aggregate_name == "median")
  | {(.run_name): .bytes_per_second}] | add as $r
| def f: . * 1000 | round / 1000;
  def verdict(ok): if ok then "ok" else "MISS" end;
  ($r["parser/small/chunk:16384"] / 1e9) as $small
| ($r["parser/large16k/chunk:16384"] / $r["memchr/large16k/chunk:16384"]) as $large16
| ($r["parser/large16k/chunk:65536"] / $r["memchr/large16k/chunk:65536"]) as $large64
| ($r["parser/small/chunk:16384"] / $r["parser/small/chunk:1"]) as $slowdown
| "small events, 16 KiB feeds      \($small | f) GB/s        target >= 1.5 GB/s   \(verdict($small >= 1.5))",
  "16 KiB events, 16 KiB feeds     \($large16 | f) x memchr    target >= 0.60 x     \(verdict($large16 >= 0.6))",
  "16 KiB events, 64 KiB feeds     \($large64 | f) x memchr    target >= 0.60 x     \(verdict($large64 >= 0.6))",
  "1-byte feeds slowdown           \($slowdown | f) x          target <= 20 x       \(verdict($slowdown <= 20))",
  "ns/byte, 1-byte feeds           small events \(1e9 / $r["parser/small/chunk:1"] | f), 1 MiB event \(1e9 / $r["parser/single1m/chunk:1"] | f), 8 MiB event \(1e9 / $r["parser/single8m/chunk:1"] | f)"
