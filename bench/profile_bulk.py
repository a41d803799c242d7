"""Where embed_many's CPU goes: ``python bench/profile_bulk.py`` (see bench/README.md).

cProfile (CPU-time timer) over ``embed_many`` of 20,000 texts against bench/server.py's
``/bulk/v1``, after a warm-up; prints the 22 functions with the most own time.
"""

import asyncio
import cProfile
import pstats
import time

from bulk import corpus, this_client
from run import start_server

server, base = start_server()
try:
    texts = corpus(20000)
    asyncio.run(this_client(base + "/bulk/v1", texts[:1024]))
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    asyncio.run(this_client(base + "/bulk/v1", texts))
    profiler.disable()
finally:
    server.terminate()
    server.wait()
pstats.Stats(profiler).sort_stats("tottime").print_stats(22)
