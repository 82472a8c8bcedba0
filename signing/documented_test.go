package signing

// The documented request bodies and signContents (linksfield-mall-api.md §3.2).

// vectorABody is the documented /singleVerify request body: pretty-printed,
// with "sign" as the last key.
const vectorABody = `{
    "deviceCode": "89852420180910340793",
    "languageCode": "1",
    "mark": "0",
    "partnerCode": "P000270",
    "terminal": "1",
    "tradeTime": "1645683857572",
    "tradeType": "singleVerify",
    "url": "https://dist.linksfield.net/login",
    "version": "3.0",
    "sign": "ea7a3bba7e345e0b8ca7f7e3b43d6e72"
}`

// vectorBBody is the documented /singleServicePlanPage request body:
// pretty-printed, with "sign" in the middle.
const vectorBBody = `{
    "area": "欧洲",
    "deviceCode": "89852420180910340793",
    "languageCode": "1",
    "mark": "0",
    "partnerCode": "P000270",
    "sign": "3fdb15332726c77cd792ea2328f98a80",
    "terminal": "0",
    "tradeTime": "1645782486394",
    "tradeType": "singleServicePlanPage",
    "version": "3.0"
}`

const (
	contentA = `{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"singleVerify","url":"https://dist.linksfield.net/login","version":"3.0"}`
	signA    = "ea7a3bba7e345e0b8ca7f7e3b43d6e72"

	contentB = `{"area":"欧洲","deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"0","tradeTime":"1645782486394","tradeType":"singleServicePlanPage","version":"3.0"}`
	signB    = "3fdb15332726c77cd792ea2328f98a80"

	// contentC is the global spec's signContent (version 1.0); its sign is
	// derived, not printed in the docs.
	contentC = `{"deviceCode":"89430101521032420180","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"singleVerify","url":"https://dist.linksfield.net/login","version":"1.0"}`
	signC    = "01b9a6e419475d81e6a55d869c1506c3"
)
