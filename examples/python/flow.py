#!/usr/bin/env python3
"""The whole Vshop purchase flow in Python, standard library only, signed with examples/signers/sign.py.

Run by `make example-python` against a fresh `vshop sandbox`; see README.md.

    VSHOP_BASE_URL=http://127.0.0.1:8080 python3 examples/python/flow.py
"""
import ast
import json
import os
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SIGN_PY = os.path.join(HERE, "..", "signers", "sign.py")


def load_signer(path):
    """Return sign(body: bytes) -> str from sign.py: its imports and functions only, not its vector
    self-check (run by `make vectors`), which would exit the program."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    tree.body = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef))]
    ns = {}
    exec(compile(tree, path, "exec"), ns)
    return ns["sign"]


sign = load_signer(SIGN_PY)

BASE_URL = os.environ.get("VSHOP_BASE_URL", "")
PARTNER = os.environ.get("VSHOP_PARTNER_CODE", "P000270")
CARD = "89852420180910340793"  # the sandbox's card for the purchase flow (Linksfield's example ICCID)
# Who the request is about, with the documented defaults: English, Linksfield's card, mobile terminal.
ABOUT = {"deviceCode": CARD, "languageCode": "1", "mark": "0", "terminal": "0"}


class Failure(Exception):
    """A failure answer: an HTTP error status or an operateCode other than "S"."""


def call(path, trade_type, fields, sign_it=True):
    """POST the fields with the global ones to path; return the success envelope or raise Failure."""
    body = dict(fields, partnerCode=PARTNER, version="3.0", tradeType=trade_type, tradeTime=str(int(time.time() * 1000)))
    text = json.dumps(body, ensure_ascii=False).encode("utf-8")
    body["sign"] = sign(text) if sign_it else "0" * 32
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(BASE_URL + path, data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, answer = resp.status, json.load(resp)
    except urllib.error.HTTPError as e:
        answer = json.load(e)
        raise Failure(f"HTTP {e.code}: {answer.get('operateCode')} {answer.get('message')}") from None
    if answer.get("operateCode") != "S":
        raise Failure(f"HTTP {status}: operateCode {answer.get('operateCode')}: {answer.get('message')}")
    return answer


def main():
    if not BASE_URL:
        print("flow: set VSHOP_BASE_URL to the Mall's base URL, e.g. http://127.0.0.1:8080 for `vshop sandbox`", file=sys.stderr)
        return 2
    results = {"passed": 0, "failed": 0}
    state = {}
    stamp = str(int(time.time() * 1000))

    def step(name, run):
        try:
            print(f"ok   {name}: {run()}")
            results["passed"] += 1
        except Exception as e:  # report the step and go on: later steps say what else works
            print(f"FAIL {name}: {e}")
            results["failed"] += 1

    def check(cond, what):
        if not cond:
            raise AssertionError(what)

    def verify():
        r = call("/singleVerify", "singleVerify", dict(ABOUT, url="https://dist.linksfield.net/login"))
        return f"card {CARD} verified ({json.dumps(r.get('data'))})"

    def plans():
        r = call("/singleServicePlanPage", "singleServicePlanPage", dict(ABOUT, area="欧洲"))
        found = (r.get("data") or {}).get("plans") or []
        check(found, "no plan for area 欧洲")
        p = state["plan"] = found[0]
        check(all(p.get(k) for k in ("packageCode", "servicePlanCode", "payAmount", "payCurrency")), f"plan lacks the fields createOrder needs: {p}")
        return f"{len(found)} plans; ordering {p['servicePlanShowName']} ({p['packageCode']}/{p['servicePlanCode']}, {p['payAmount']} {p['payCurrency']})"

    def create():
        p = state["plan"]
        ids = {"orderNo": f"NO{stamp}01", "payId": f"{PARTNER}{stamp}01"}
        r = call("/singleOrder", "singleOrder", dict(ABOUT, packageCode=p["packageCode"], servicePlanCode=p["servicePlanCode"],
                 servicePlanShowName=p["servicePlanShowName"], orderPeriod="1", payAmount=p["payAmount"],
                 payCurrency=p["payCurrency"], autoRenewal="1", **ids))
        o = state["order"] = r["data"]
        check(o.get("orderNo") == ids["orderNo"] and o.get("payId") == ids["payId"], f"order {o} does not carry the ids sent")
        return f"order {o['orderNo']}, payment {o['payId']}"

    def orders():
        return call("/singleQueryOrder", "singleQueryOrder", ABOUT)["data"]["orderList"]

    def list_orders():
        got = orders()
        check(len(got) == 1 and got[0].get("servicePlanShowName") == state["plan"]["servicePlanShowName"], f"orders {got}")
        return f"1 order: {got[0]['servicePlanShowName']}, status {got[0]['orderStatus']}, {got[0]['remainingDays']} days left"

    def renewals():
        return call("/queryAutoRenewalRecord", "queryAutoRenewalRecord", ABOUT)["data"]

    def list_renewals():
        o, recs = state["order"], renewals()
        check(any(r["payId"] == o["payId"] and r["orderNo"] == o["orderNo"] for r in recs), f"no auto-renewal for the order in {recs}")
        return f"{len(recs)} auto-renewal(s), one for order {o['orderNo']}"

    def cancel():
        o = state["order"]
        call("/cancelAutoRenewalRecord", "cancelAutoRenewalRecord", dict(ABOUT, orderNo=o["orderNo"], payId=o["payId"]))
        recs = renewals()
        check(not any(r["payId"] == o["payId"] for r in recs), "the auto-renewal is still listed")
        return f"cancelled; {len(recs)} auto-renewal(s) left"

    def sync():
        p = state["plan"]
        call("/synPartner/SynOrderInfo", "SynOrderInfo", {
            "deviceCode": CARD, "mark": "0", "terminal": "0", "languageCode": "", "packageCode": p["packageCode"],
            "orderPeriod": "1", "payAmount": p["payAmount"], "payCurrency": p["payCurrency"],
            "orderNo": f"NO{stamp}02", "payId": f"{PARTNER}{stamp}02", "payRst": "SUCCESS",
            "payResultDate": "2022-06-07 15:10:35", "orgOrderId": None})
        got = orders()
        check(len(got) == 2, f"want 2 orders after the sync, got {got}")
        return f"reported payment {PARTNER}{stamp}02 (languageCode \"\" and orgOrderId null are not signed); the card has {len(got)} orders"

    def wrong_sign():
        try:
            call("/singleVerify", "singleVerify", ABOUT, sign_it=False)
        except Failure as e:
            check(str(e).startswith("HTTP 401"), f"want HTTP 401, got {e}")
            return str(e)
        raise AssertionError("a request with a wrong sign was accepted")

    for name, run in [("verifyCard", verify), ("listPlans", plans), ("createOrder", create), ("listOrders", list_orders),
                      ("listAutoRenewals", list_renewals), ("cancelAutoRenewal", cancel), ("syncThirdPartyOrder", sync),
                      ("a wrong sign is refused", wrong_sign)]:
        step(name, run)
    print(f"python flow: {results['passed']} passed, {results['failed']} failed")
    return 0 if results["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
