"""Serve the site in benchmark modes for ../shared/peer-bench (``run.sh --external``), then stop.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/allforces_bench_1000 REDIS_URL=redis://127.0.0.1:6379/0 \\
        python bench/serve.py --articles 1000 --modes nocache,page-redis --port 8090

Prepares the data set as ``bench/run.py`` does, writes ``bench/results/paths-N.json`` (the
peer's labels with our paths: home, index = ``/?page=2``, detail, tag = the most-used tag,
feed, search, static), starts one gunicorn (2 sync workers, production settings, 127.0.0.1
only) per mode on consecutive ports, prints the ``run.sh`` command that measures them beside the
peer, and keeps them up until Ctrl-C or ``--seconds`` (1800) have passed; then stops them.
"""

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, Gunicorn, production_env  # noqa: E402
from bench.run import MODES, chosen_modes, database_url, discover_urls, flush_redis, mode_env, peer_paths, prepare  # noqa: E402

PEER_SUITES = "wn-sync,dj-list,peer-pg"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--modes", default=None, help=f"comma-separated, of {', '.join(MODES)}; default all")
    parser.add_argument("--port", type=int, default=8090, help="the first mode's port; the next ones follow")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=1800, help="stop after this long (Ctrl-C stops sooner)")
    parser.add_argument("--replace", action="store_true")
    args = parser.parse_args(argv)

    # A plain kill stops the servers too (they run in sessions of their own).
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    modes = chosen_modes(args.modes, bool(os.environ.get("REDIS_URL")))
    env = production_env(database_url(args.articles))
    prepare(env, args.articles, args.replace)
    paths = peer_paths(discover_urls(env))
    RESULTS.mkdir(parents=True, exist_ok=True)
    paths_file = RESULTS / f"paths-{args.articles}.json"
    paths_file.write_text(json.dumps(paths, indent=1, ensure_ascii=False) + "\n")
    flush_redis(env.get("REDIS_URL"))

    with contextlib.ExitStack() as stack:
        externals = []
        for offset, mode in enumerate(modes):
            server = stack.enter_context(Gunicorn(mode_env(env, mode), args.port + offset, args.workers))
            externals.append(f"--external ours-{mode},{server.base_url},{paths_file}")
            print(f"== {mode} ({MODES[mode]['label']}) on {server.base_url}", flush=True)
        print(f"\npaths: {paths_file}\n{json.dumps(paths, ensure_ascii=False)}\n")
        print("In another shell, with nothing else running:\n")
        print(f"  cd ../shared/peer-bench && ./run.sh --suites {PEER_SUITES} " + " ".join(externals) + "\n", flush=True)
        print(f"Serving for {args.seconds} s (Ctrl-C stops sooner).", flush=True)
        try:
            time.sleep(args.seconds)
        except KeyboardInterrupt:
            pass
    print("stopped", flush=True)


if __name__ == "__main__":
    main()
