// Every string the element shows, one table per locale. Indonesian is the default: the customers are.
export type Locale = 'id' | 'en';

export interface Strings {
  pay: string;
  payAgain: string;
  paid: string;
  preparing: string;
  redirecting: string;
  /** `amount` is ' Rp 27.500', or '' while unknown. */
  pending: (amount: string) => string;
  reopen: string;
  continue: string;
  newPayment: string;
  success: (amount: string) => string;
  failed: string;
  expired: string;
  errors: Record<string, string> & { generic: string };
}

const id: Strings = {
  pay: 'Bayar dengan LinkAja',
  payAgain: 'Bayar lagi dengan LinkAja',
  paid: 'Sudah dibayar',
  preparing: 'Menyiapkan pembayaran…',
  redirecting: 'Mengalihkan ke LinkAja…',
  pending: (a) => `Menunggu konfirmasi pembayaran${a}…`,
  reopen: 'Pembayaran belum selesai. Jika LinkAja tidak dapat membukanya lagi, buat yang baru.',
  continue: 'Lanjutkan pembayaran',
  newPayment: 'Buat pembayaran baru',
  success: (a) => `Pembayaran ${a} berhasil. Terima kasih!`,
  failed: 'Pembayaran gagal atau dibatalkan. Silakan coba lagi.',
  expired: 'Waktu pembayaran habis. Silakan coba lagi.',
  errors: {
    generic: 'Pembayaran belum dapat diproses. Silakan coba lagi.',
    network_error: 'Tidak dapat terhubung ke server pembayaran. Periksa koneksi Anda lalu coba lagi.',
    unknown_sku: 'Produk ini tidak tersedia.',
    invalid_attributes: 'Tombol pembayaran ini belum diatur dengan benar.',
    rate_limited: 'Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi.',
    not_found: 'Pembayaran tidak ditemukan.',
    gateway_error: 'LinkAja sedang tidak dapat dihubungi. Silakan coba lagi.',
    gateway_timeout: 'LinkAja sedang tidak dapat dihubungi. Silakan coba lagi.',
    already_paid: 'Pesanan ini sudah dibayar.',
  },
};

const en: Strings = {
  pay: 'Pay with LinkAja',
  payAgain: 'Pay again with LinkAja',
  paid: 'Paid',
  preparing: 'Preparing your payment…',
  redirecting: 'Taking you to LinkAja…',
  pending: (a) => `Waiting for confirmation of your${a} payment…`,
  reopen: 'The payment is not finished. If LinkAja cannot open it again, make a new one.',
  continue: 'Continue payment',
  newPayment: 'Make a new payment',
  success: (a) => `Payment of ${a} received. Thank you!`,
  failed: 'The payment failed or was canceled. Please try again.',
  expired: 'The payment expired. Please try again.',
  errors: {
    generic: 'The payment could not be processed. Please try again.',
    network_error: "Couldn't reach the payment server. Check your connection and try again.",
    unknown_sku: 'This product is not available.',
    invalid_attributes: 'This payment button is not set up correctly.',
    rate_limited: 'Too many requests. Wait a moment and try again.',
    not_found: 'The payment was not found.',
    gateway_error: 'LinkAja cannot be reached right now. Please try again.',
    gateway_timeout: 'LinkAja cannot be reached right now. Please try again.',
    already_paid: 'This order has already been paid.',
  },
};

const TABLES: Record<Locale, Strings> = { id, en };

/** The table for a locale attribute value; anything unknown falls back to Indonesian. */
export const stringsFor = (locale: string | undefined): Strings => TABLES[locale as Locale] ?? id;

/** Whole rupiah the Indonesian way, whatever the locale: `Rp 27.500`. */
export const formatRupiah = (amount: number): string =>
  `Rp ${Math.round(amount)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.')}`;
