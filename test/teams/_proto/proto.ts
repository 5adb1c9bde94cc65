import http from 'node:http';
import express from 'express';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, TurnContext, type Activity } from 'botbuilder';

type Opts = NonNullable<ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[4]>;
type HttpClient = NonNullable<Opts['httpClient']>;

class Headers2 {
  private m = new Map<string, { name: string; value: string }>();
  constructor(init?: Iterable<[string, string]>) { for (const [k, v] of init ?? []) this.set(k, v); }
  set(name: string, value: string | number) { this.m.set(name.toLowerCase(), { name, value: String(value) }); }
  get(name: string) { return this.m.get(name.toLowerCase())?.value; }
  contains(name: string) { return this.m.has(name.toLowerCase()); }
  remove(name: string) { return this.m.delete(name.toLowerCase()); }
  rawHeaders() { return this.toJson(); }
  headersArray() { return [...this.m.values()]; }
  headerNames() { return [...this.m.values()].map((h) => h.name); }
  headerValues() { return [...this.m.values()].map((h) => h.value); }
  clone() { return new Headers2([...this.m.values()].map((h) => [h.name, h.value] as [string, string])); }
  toJson(o?: { preserveCase?: boolean }) { return Object.fromEntries([...this.m.entries()].map(([k, h]) => [o?.preserveCase ? h.name : k, h.value])); }
}

const client: HttpClient = {
  async sendRequest(req) {
    console.log('OUT', req.method, req.url, JSON.stringify(req.headers.toJson()).slice(0, 200), typeof req.body);
    const res = await fetch(req.url, { method: req.method, headers: req.headers.toJson(), body: req.body as string | undefined });
    const text = await res.text();
    return { request: req, status: res.status, headers: new Headers2(res.headers.entries()) as never, bodyAsText: text } as never;
  },
};

const connector = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    console.log('CONNECTOR', req.method, req.url, req.headers.authorization, body.slice(0, 300));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'reply-1' }));
  });
});
await new Promise<void>((r) => connector.listen(0, '127.0.0.1', () => r()));
const cport = (connector.address() as { port: number }).port;

async function run(appId?: string) {
  const auth = new ConfigurationBotFrameworkAuthentication(appId ? { MicrosoftAppId: appId, MicrosoftAppPassword: 'x' } : {}, undefined, undefined, undefined, { httpClient: client });
  const adapter = new CloudAdapter(auth);
  const app = express();
  app.post('/api/messages', express.json(), (req, res) => {
    void adapter.process(req, res, async (ctx: TurnContext) => {
      console.log('TURN', ctx.activity.type, ctx.activity.text);
      await ctx.sendActivity('hi back');
      const ref = TurnContext.getConversationReference(ctx.activity);
      await adapter.continueConversationAsync(appId ?? '', ref, async (c2) => { await c2.sendActivity('proactive'); });
    });
  });
  const srv = app.listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const port = (srv.address() as { port: number }).port;
  const activity: Partial<Activity> = { type: 'message', id: 'a1', text: 'hello', channelId: 'msteams', serviceUrl: `http://127.0.0.1:${cport}/`, from: { id: 'u1', name: 'U' }, recipient: { id: 'b1', name: 'Bot' }, conversation: { id: 'c1', conversationType: 'personal', isGroup: false, name: '' } as never };
  for (const auth of [undefined, 'Bearer abc.def.ghi']) {
    const r = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: JSON.stringify(activity) });
    console.log('RESULT', appId, auth, r.status, await r.text());
  }
  srv.close();
}
await run();
await run('11111111-1111-1111-1111-111111111111');
connector.close();
