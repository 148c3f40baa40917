// The DOKU simulator alone on its own port, in its own process: the BFF calls it as it would call
// DOKU, and the bench times it directly to know DOKU's share of a create-payment.
import { startSimulator } from '../../bff/simulator/index.ts';

await startSimulator({
  port: Number(process.env.SIM_PORT),
  clientId: process.env.SIM_CLIENT_ID ?? '',
  secretKey: process.env.SIM_SECRET_KEY ?? '',
  maxPayments: 50_000,
});
