"""A bounded loop of stock postings over HTTP, each with its own reference and idempotency key, and the check
that follows every fault: what was answered with success is in the database once, nothing unknown is there,
and a retry of every request whose answer was lost (same key) makes each posting exist exactly once."""

import threading
import time
import uuid

RECEIPT = "/inventory/movements/receipt/"


def post_receipt(browser, product, location, ref):
    return browser.post(RECEIPT, {"product": product, "quantity": "1", "to_location": location, "reference": ref,
                                  "idempotency_key": ref, "reason": ""}, timeout=20)


class PostingLoop:
    def __init__(self, browser, data, tag, threads=4, per_thread=40, seconds=60):
        self.browser, self.data, self.tag = browser, data, tag
        self.threads, self.per_thread, self.seconds = threads, per_thread, seconds
        self.results: dict[str, int | None] = {}  # reference -> HTTP status (None: no answer)
        self.lock = threading.Lock()
        self.prefix = f"{tag}-{uuid.uuid4().hex[:6]}-"

    def _work(self, n):
        deadline = time.monotonic() + self.seconds
        products, locations = self.data["products"], self.data["locations"]
        for i in range(self.per_thread):
            if time.monotonic() > deadline:
                break
            ref = f"{self.prefix}{n}-{i}"
            status, _ = post_receipt(self.browser, products[i % len(products)], locations[n % len(locations)], ref)
            with self.lock:
                self.results[ref] = status
            time.sleep(0.05)

    def run(self, fault=None, fault_after=2.0):
        workers = [threading.Thread(target=self._work, args=(n,)) for n in range(self.threads)]
        for t in workers:
            t.start()
        fault_info = None
        if fault is not None:
            time.sleep(fault_after)
            fault_info = fault()
        for t in workers:
            t.join(timeout=self.seconds + 60)
        return fault_info

    def stored(self, pg) -> dict[str, int]:
        rows = pg.psql(f"SELECT reference, count(*) FROM inventory_stockmovement WHERE reference LIKE "
                       f"'{self.prefix}%' GROUP BY reference")
        return dict(rows)

    def check(self, pg):
        """Assert the answered successes are stored once and nothing unknown is; retry the rest; all once."""
        stored = self.stored(pg)
        ok = {ref for ref, st in self.results.items() if st == 302}
        missing = sorted(ok - set(stored))
        assert not missing, f"answered with success but not stored: {missing}"
        assert set(stored) <= set(self.results), f"stored but never sent: {set(stored) - set(self.results)}"
        assert all(c == 1 for c in stored.values()), {r: c for r, c in stored.items() if c != 1}
        # a form answered again with its errors (200) or a refusal (403, 404) was not posted. A 400 can follow a
        # committed posting: Django answers SessionInterrupted when the session save at the end of the request
        # fails because the database went away after the posting's commit; the user resubmits (same key).
        refused = {ref for ref, st in self.results.items() if st in (200, 403, 404)}
        both = sorted(refused & set(stored))
        assert not both, f"answered as refused but stored: {[(r, self.results[r]) for r in both]}"
        # the answer was lost (no answer, 5xx): the user sends the same form again (same idempotency key)
        unanswered = sorted(ref for ref, st in self.results.items() if st != 302)
        stored_unanswered = sorted((ref, self.results[ref]) for ref in set(unanswered) & set(stored))
        products, locations = self.data["products"], self.data["locations"]
        for ref in unanswered:
            n, i = (int(x) for x in ref[len(self.prefix):].split("-"))
            status, body = post_receipt(self.browser, products[i % len(products)], locations[n % len(locations)],
                                        ref)
            assert status == 302, (ref, status, body[-500:])
        stored = self.stored(pg)
        assert set(stored) == set(self.results) and all(c == 1 for c in stored.values())
        return {"sent": len(self.results), "ok": len(ok), "unanswered": len(unanswered),
                "stored_without_success_answer": stored_unanswered}
