/**
 * What dispatch keeps: callback requests now, call records next. One
 * interface, an embedded SQLite implementation (default) and room for
 * PostgreSQL; both run the same migrations.
 */
import type { ContextRecord } from '../../../contracts/context-record.ts';

export type { ContextRecord };

export type CallbackRecord = Readonly<{
  id: string;
  createdAt: string;
  /** Number to call back. */
  number: string;
  issueType: string;
  notes: string | undefined;
  route: string;
  persona: string;
  genesysConversationId: string | undefined;
  sipCallId: string | undefined;
  status: 'pending';
}>;

export type NewContext = Omit<ContextRecord, 'id' | 'createdAt'>;

export type NewCallback = Omit<CallbackRecord, 'id' | 'createdAt' | 'status'>;

export interface Store {
  createContext(record: NewContext): ContextRecord;
  getContext(id: string): ContextRecord | undefined;
  createCallback(cb: NewCallback): CallbackRecord;
  getCallback(id: string): CallbackRecord | undefined;
  close(): void;
}
