"""Build Swift's account, container and object rings (1 replica, partition power 8, one device each).

Usage: /usr/bin/python3 make-rings.py ETC_DIR ACCOUNT_PORT CONTAINER_PORT OBJECT_PORT

One process instead of nine swift-ring-builder runs (each pays Swift's import time): ~0.3 s instead of ~3.7 s.
Must run under Debian's /usr/bin/python3, which sees the swift package.
"""
import os
import sys

from swift.common.ring import RingBuilder

etc, ports = sys.argv[1], {"account": int(sys.argv[2]), "container": int(sys.argv[3]), "object": int(sys.argv[4])}
for name, port in ports.items():
    builder = RingBuilder(8, 1, 1)  # part_power, replicas, min_part_hours
    builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1", "port": port,
                     "replication_ip": "127.0.0.1", "replication_port": port,
                     "device": "d1", "weight": 100, "meta": ""})
    builder.rebalance()
    builder.save(os.path.join(etc, name + ".builder"))
    builder.get_ring().save(os.path.join(etc, name + ".ring.gz"))
