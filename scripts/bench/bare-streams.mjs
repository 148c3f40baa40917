// The streams' baseline: a bare Node HTTP server that answers every `.../events` request with the same
// event-stream head and first event as the BFF's status stream, and holds it open (anything else: 200). What 10,000 of these add to its
// memory is what Node's HTTP server alone costs per held stream on this machine today.
import { createServer } from 'node:http';

const data = JSON.stringify({ invoice_number: 'x', amount: 25000, status: 'PENDING', updated_at: '', reference: null });
const held = new Set();
createServer((req, res) => {
  if (!req.url.split('?')[0].endsWith('/events')) return res.end('ok');
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write(`retry: 3000\n\nid: 0\nevent: status\ndata: ${data}\n\n`);
  held.add(res);
  res.on('close', () => held.delete(res));
}).listen(Number(process.env.BARE_PORT), '127.0.0.1');
