import { isPeriodClosed, parseErrorDetails } from '../../netsuite/errors';
import { isPaid, paidReason } from '../../netsuite/payments';

/**
 * How the service reads NetSuite's answers it must not retry: a closed period and a paid invoice.
 * Neither rendering is documented for REST (see ../shared/reference/netsuite-realities.md), so each
 * is recognised from more than one signal.
 */
describe('a closed or locked accounting period', () => {
  const refusal = (code: string, detail: string) => parseErrorDetails({ 'o:errorDetails': [{ detail, 'o:errorCode': code }] });

  it.each([
    ['SOAP-era code CLOSED_TRAN_PRD', refusal('CLOSED_TRAN_PRD', 'Transaction date is in a closed period')],
    ['SOAP-era code DATE_PRD_MISMATCH', refusal('DATE_PRD_MISMATCH', 'The date does not fall in the posting period')],
    ['a generic code whose words say the period is closed', refusal('USER_ERROR', 'The accounting period Oct 2026 is closed.')],
    ['a generic code whose words say the period is locked for A/R', refusal('INVALID_FLD_VALUE', 'This period is locked for Accounts Receivable')],
    ['words that name the closed period the other way round', refusal('USER_ERROR', 'You cannot post to a closed period.')],
  ])('is recognised from %s', (_how, details) => {
    expect(isPeriodClosed(details)).toBe(true);
  });

  it.each([
    ['a refused field', refusal('INVALID_FLD_VALUE', 'Invalid value for the field item')],
    ['a missing customer', refusal('USER_ERROR', 'Please enter value(s) for: Customer')],
    ['an unreadable body', parseErrorDetails('<html>502 Bad Gateway</html>')],
  ])('is not read into %s', (_what, details) => {
    expect(isPeriodClosed(details)).toBe(false);
  });
});

describe('a paid invoice', () => {
  it.each([
    ['status "Paid In Full" as a reference', { id: '7', status: { id: 'B', refName: 'Paid In Full' }, total: 100 }],
    ['status "Paid In Full" as text', { id: '7', status: 'Paid In Full', total: 100 }],
    ['an open invoice with part of it paid', { id: '7', status: { id: 'A', refName: 'Open' }, total: 100, amountRemaining: 40 }],
    ['amounts as strings, the remaining total box only', { id: '7', total: '100.00', amountRemainingTotalBox: '99.99' }],
    ['an amount paid, without a total', { id: '7', status: { id: 'A', refName: 'Open' }, amountPaid: 40 }],
  ])('is recognised from %s', (_how, invoice) => {
    expect(isPaid(invoice)).toBe(true);
  });

  it.each([
    ['open and nothing paid', { id: '7', status: { id: 'A', refName: 'Open' }, total: 100, amountRemaining: 100 }],
    ['"Unpaid" in words', { id: '7', status: 'Unpaid', total: 100, amountRemaining: 100 }],
    ['no amounts at all', { id: '7', status: { id: 'A', refName: 'Open' } }],
    ['a zero invoice', { id: '7', total: 0, amountRemaining: 0 }],
    ['of 0.00, which NetSuite shows "Paid In Full" with nothing paid', { id: '7', status: { id: 'B', refName: 'Paid In Full' }, total: 0, amountPaid: 0, amountRemaining: 0 }],
  ])('is not read into an invoice %s', (_what, invoice) => {
    expect(isPaid(invoice)).toBe(false);
  });

  it('is explained with what was paid and what finance can do', () => {
    expect(paidReason({ id: '7', total: 593.5, amountRemaining: 493.5 }, 'an update would change what was paid')).toBe(
      'NetSuite invoice 7 is paid (100.00 of 593.50 paid), and an update would change what was paid: it was left as it is. ' +
        'If the bill must change, reverse the payment in NetSuite and re-run it, or settle the difference there (a credit memo or a new invoice)',
    );
  });
});
