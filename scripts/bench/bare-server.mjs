// The baseline: the smallest Express app that answers JSON, on the same Express and Node as the BFF,
// in plain JavaScript so that no loader adds to its memory. Its rate is what HTTP and Express alone
// cost on this machine today; the BFF's figures are read against it.
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.get('/json', (_req, res) => {
  res.set('Cache-Control', 'no-store').json({ status: 'ok' });
});
app.listen(Number(process.env.BARE_PORT), '127.0.0.1');
