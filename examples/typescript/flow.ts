// The whole Vshop purchase flow in TypeScript, with a client generated from openapi/vshop.yaml by
// openapi-typescript (--enum) and called through openapi-fetch, signed with examples/signers/sign.js.
// Run by `make example-typescript` against a fresh `vshop sandbox`; see README.md.
//
//   VSHOP_BASE_URL=http://127.0.0.1:8080 node dist/flow.js
import path from "node:path";
import createClient from "openapi-fetch";
import {
  AutoRenewal,
  CancelAutoRenewalRequestTradeType,
  CreateOrderRequestTradeType,
  LanguageCode,
  ListAutoRenewalsRequestTradeType,
  ListOrdersRequestTradeType,
  ListPlansRequestTradeType,
  Mark,
  SyncThirdPartyOrderRequestTradeType,
  Terminal,
  VerifyCardRequestTradeType,
  type components,
  type paths,
} from "./gen/vshop";

type Schemas = components["schemas"];

// The signer of the signing rule as the spec writes it (dist/flow.js -> ../../signers/sign.js).
const signer = require(path.join(__dirname, "..", "..", "signers", "sign.js")) as {
  sign(body: Buffer): string;
};

const baseUrl = process.env.VSHOP_BASE_URL;
if (!baseUrl) {
  console.error("flow: set VSHOP_BASE_URL to the Mall's base URL, e.g. http://127.0.0.1:8080 for `vshop sandbox`");
  process.exit(2);
}
const partnerCode = process.env.VSHOP_PARTNER_CODE || "P000270";
const card = "89852420180910340793"; // the sandbox's card for the purchase flow (Linksfield's example ICCID)

const client = createClient<paths>({ baseUrl });

// The global fields every request carries; tradeType comes from each request schema's one-value enum.
const globals = () => ({ partnerCode, version: "3.0", tradeTime: String(Date.now()) });
// Who the request is about, with the documented defaults.
const about = { deviceCode: card, languageCode: LanguageCode.LanguageEnglish, mark: Mark.MarkLinksfieldCard, terminal: Terminal.TerminalMobile };

// signed adds sign, computed over the body without it (the signer drops null and "" members itself).
function signed<T extends { sign: string }>(body: Omit<T, "sign">): T {
  return { ...body, sign: signer.sign(Buffer.from(JSON.stringify(body), "utf8")) } as T;
}

type Envelope = { operateCode: string; message: string; data?: unknown };
// ok returns the success envelope of a call, or throws with the failure's status and message.
async function ok<E extends Envelope>(call: Promise<{ data?: E; error?: Schemas["FailureReply"]; response: Response }>): Promise<E> {
  const { data, error, response } = await call;
  if (error !== undefined) throw new Error(`HTTP ${response.status}: ${error.operateCode} ${error.message}`);
  if (data === undefined) throw new Error(`HTTP ${response.status}: no body`);
  if (data.operateCode !== "S") throw new Error(`HTTP ${response.status}: operateCode ${data.operateCode}: ${data.message}`);
  return data;
}

let passed = 0;
let failed = 0;
async function step(name: string, run: () => Promise<string>): Promise<void> {
  try {
    console.log(`ok   ${name}: ${await run()}`);
    passed++;
  } catch (e) {
    console.log(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}`);
    failed++;
  }
}
function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

async function main(): Promise<void> {
  let plan: Schemas["Plan"] | undefined;
  let order: Schemas["CreatedOrder"] | undefined;
  const stamp = Date.now();

  await step("verifyCard", async () => {
    const r = await ok(client.POST("/singleVerify", {
      body: signed<Schemas["VerifyCardRequest"]>({ ...globals(), ...about, tradeType: VerifyCardRequestTradeType.TradeTypeSingleVerify, url: "https://dist.linksfield.net/login" }),
    }));
    return `card ${card} verified (${JSON.stringify(r.data)})`;
  });

  await step("listPlans", async () => {
    const r = await ok(client.POST("/singleServicePlanPage", {
      body: signed<Schemas["ListPlansRequest"]>({ ...globals(), ...about, tradeType: ListPlansRequestTradeType.TradeTypeSingleServicePlanPage, area: "欧洲" }),
    }));
    const plans = r.data?.plans ?? [];
    check(plans.length > 0, "no plan for area 欧洲");
    plan = plans[0];
    check(!!plan.packageCode && !!plan.servicePlanCode && !!plan.payAmount && !!plan.payCurrency, `plan lacks the fields createOrder needs: ${JSON.stringify(plan)}`);
    return `${plans.length} plans; ordering ${plan.servicePlanShowName} (${plan.packageCode}/${plan.servicePlanCode}, ${plan.payAmount} ${plan.payCurrency})`;
  });

  await step("createOrder", async () => {
    check(plan !== undefined, "no plan to order");
    const p = plan!;
    const r = await ok(client.POST("/singleOrder", {
      body: signed<Schemas["CreateOrderRequest"]>({
        ...globals(), ...about, tradeType: CreateOrderRequestTradeType.TradeTypeSingleOrder,
        packageCode: p.packageCode!, servicePlanCode: p.servicePlanCode!, servicePlanShowName: p.servicePlanShowName,
        orderPeriod: "1", payAmount: p.payAmount!, payCurrency: p.payCurrency!, autoRenewal: AutoRenewal.AutoRenewalOn,
        orderNo: `NO${stamp}01`, payId: `${partnerCode}${stamp}01`,
      }),
    }));
    order = r.data;
    check(order?.orderNo === `NO${stamp}01` && order?.payId === `${partnerCode}${stamp}01`, `order ${JSON.stringify(order)} does not carry the ids sent`);
    return `order ${order!.orderNo}, payment ${order!.payId}`;
  });

  const listOrders = async () => (await ok(client.POST("/singleQueryOrder", {
    body: signed<Schemas["ListOrdersRequest"]>({ ...globals(), ...about, tradeType: ListOrdersRequestTradeType.TradeTypeSingleQueryOrder }),
  }))).data.orderList;

  await step("listOrders", async () => {
    const list = await listOrders();
    check(list.length === 1 && list[0].servicePlanShowName === plan?.servicePlanShowName, `orders ${JSON.stringify(list)}`);
    return `1 order: ${list[0].servicePlanShowName}, status ${list[0].orderStatus}, ${list[0].remainingDays} days left`;
  });

  const listRenewals = async () => (await ok(client.POST("/queryAutoRenewalRecord", {
    body: signed<Schemas["ListAutoRenewalsRequest"]>({ ...globals(), ...about, tradeType: ListAutoRenewalsRequestTradeType.TradeTypeQueryAutoRenewalRecord }),
  }))).data;

  await step("listAutoRenewals", async () => {
    const recs = await listRenewals();
    check(recs.some((r) => r.payId === order?.payId && r.orderNo === order?.orderNo), `no auto-renewal for the order in ${JSON.stringify(recs)}`);
    return `${recs.length} auto-renewal(s), one for order ${order!.orderNo}`;
  });

  await step("cancelAutoRenewal", async () => {
    await ok(client.POST("/cancelAutoRenewalRecord", {
      body: signed<Schemas["CancelAutoRenewalRequest"]>({
        ...globals(), ...about, tradeType: CancelAutoRenewalRequestTradeType.TradeTypeCancelAutoRenewalRecord,
        orderNo: order!.orderNo!, payId: order!.payId!,
      }),
    }));
    const recs = await listRenewals();
    check(!recs.some((r) => r.payId === order?.payId), "the auto-renewal is still listed");
    return `cancelled; ${recs.length} auto-renewal(s) left`;
  });

  await step("syncThirdPartyOrder", async () => {
    await ok(client.POST("/synPartner/SynOrderInfo", {
      body: signed<Schemas["SyncThirdPartyOrderRequest"]>({
        ...globals(), deviceCode: card, mark: Mark.MarkLinksfieldCard, terminal: Terminal.TerminalMobile,
        tradeType: SyncThirdPartyOrderRequestTradeType.TradeTypeSynOrderInfo,
        packageCode: plan!.packageCode!, orderPeriod: "1", payAmount: plan!.payAmount!, payCurrency: plan!.payCurrency!,
        orderNo: `NO${stamp}02`, payId: `${partnerCode}${stamp}02`, payRst: "SUCCESS", payResultDate: "2022-06-07 15:10:35",
      }),
    }));
    const list = await listOrders();
    check(list.length === 2, `want 2 orders after the sync, got ${JSON.stringify(list)}`);
    return `reported payment ${partnerCode}${stamp}02; the card has ${list.length} orders`;
  });

  await step("a wrong sign is refused with a typed failure", async () => {
    const body = signed<Schemas["VerifyCardRequest"]>({ ...globals(), ...about, tradeType: VerifyCardRequestTradeType.TradeTypeSingleVerify });
    const { error, response } = await client.POST("/singleVerify", { body: { ...body, deviceCode: "89860220190905123941" } });
    check(response.status >= 400 && response.status < 500 && error !== undefined && error.operateCode !== "S", `HTTP ${response.status}, error ${JSON.stringify(error)}`);
    return `HTTP ${response.status}, operateCode ${error!.operateCode}: ${error!.message}`;
  });

  console.log(`typescript flow: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
