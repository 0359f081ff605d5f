"""Engine spike (issue 15): PyFlink 2.3 on this machine, a KeyedProcessFunction with keyed
ValueState, per-message and micro-batch, in thread mode. Not a project dependency: run it from
a separate venv (`python -m venv f && f/bin/pip install apache-flink==2.3.0`; needs Java 11+):
`PYTHONPATH=f/lib/python3.11/site-packages f/bin/python benchmarks/spikes/spike_pyflink.py`
(thread mode embeds the base interpreter, which does not see the venv otherwise). The Kafka
connector is not part of the PyPI package (a separate JAR from Maven), so the source here is
an in-memory collection: the figures are the engine's own per-message cost, an upper bound for
a Kafka job. SYNTHETIC payloads."""

from __future__ import annotations

import sys
import time

from pyflink.common import Configuration, Types
from pyflink.datastream import KeyedProcessFunction, RuntimeContext, StreamExecutionEnvironment
from pyflink.datastream.state import ValueStateDescriptor


class Count(KeyedProcessFunction):  # type: ignore[misc]
    def open(self, ctx: RuntimeContext) -> None:
        self.n = ctx.get_state(ValueStateDescriptor("n", Types.LONG()))

    def process_element(self, value, ctx):  # type: ignore[no-untyped-def]
        self.n.update((self.n.value() or 0) + 1)
        if False:
            yield value


def run(n: int, size: int, keys: int) -> float:
    conf = Configuration()
    conf.set_string("python.execution-mode", "thread")
    conf.set_string("python.executable", sys.executable)  # not the first python on PATH
    conf.set_string("python.client.executable", sys.executable)
    env = StreamExecutionEnvironment.get_execution_environment(conf)
    env.set_parallelism(1)
    payload = "x" * size
    data = env.from_collection(
        [(i % keys, payload) for i in range(n)],
        type_info=Types.TUPLE([Types.INT(), Types.STRING()]),
    )
    data.key_by(lambda r: r[0], key_type=Types.INT()).process(Count())
    t0 = time.perf_counter()
    env.execute("spike")
    return time.perf_counter() - t0


def main() -> int:
    for label, n, size, keys in (
        ("per-message, 1 frame/msg", 200_000, 14, 1000),
        ("micro-batch, 8192 frames/msg (~128 kB)", 200, 8192 * 16, 4),
    ):
        s = run(n, size, keys)
        print(f"{label}: {n:,} msgs in {s:.2f} s with job start ({n / s:,.0f} msg/s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
