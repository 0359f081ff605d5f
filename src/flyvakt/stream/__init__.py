"""Scale-out on Kafka: the same pure pipeline step per partition (see docs/scale.md).

- :mod:`flyvakt.stream.wire`: micro-batches on the wire (Arrow IPC) and partition keys;
- :mod:`flyvakt.stream.kafka`: topics, ``flyvakt feed`` and the per-partition worker with
  checkpointed state (needs the ``kafka`` extra: confluent-kafka).
"""
