import type { z } from 'zod';
import type { addressSchema } from '../domain/account';

export type AddressInput = z.infer<typeof addressSchema>;
