"""moto_server, with DynamoDB's atomic conditional writes.

moto's server is threaded, and its DynamoDB backend checks a write's condition and applies the write
without a lock, so two concurrent conditional UpdateItem calls can both succeed, which DynamoDB never
allows (docs/aws-adapters.md, "moto and AWS, where they differ"). The idempotency contract spec that
grants exactly one of two concurrent claims then failed now and then against moto. This launcher runs
moto's own server with one lock around each DynamoDB request, as DynamoDB serialises writes to an item;
every other service stays concurrent (SQS long polls must not block each other).

moto's EventBridge also compiles eight JSONPath expressions (jsonpath_ng, a PLY parser) for every event
it hands to a rule's target, the same eight each time: about 40 % of moto's time in a run that relays
a few thousand events, enough that the relay fell minutes behind on a clean run. The launcher memoises
that compilation; a compiled expression is immutable, so what each event matches is unchanged.

Usage: python3 tools/moto/moto_server.py -H 127.0.0.1 -p PORT  (the same options as moto_server).
"""
import sys
import functools
import threading

import moto.server

try:
    import jsonpath_ng.ext
except ImportError:  # moto installed without EventBridge's extras: nothing to memoise
    pass
else:
    # moto's events/utils.py runs `from jsonpath_ng.ext import parse` inside each call, so it reads this.
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)

_dynamodb = threading.Lock()
_run_simple = moto.server.run_simple


def _with_atomic_dynamodb(app):
    def wsgi(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with _dynamodb:
                # The whole response is produced inside the lock: moto may write lazily.
                return list(app(environ, start_response))
        return app(environ, start_response)

    return wsgi


def _run_simple_atomic(host, port, app, **options):
    return _run_simple(host, port, _with_atomic_dynamodb(app), **options)


moto.server.run_simple = _run_simple_atomic

if __name__ == "__main__":
    moto.server.main(sys.argv[1:])
