/** The agent view's requests, one function per route it uses. */
import { api } from '../../api.js';
import type {
  AgentState,
  CallDetail,
  ClassifyRequest,
  ClassifyResult,
  CreatedWorkOrder,
  CreateWorkOrderRequest,
  EmergencyTransferRequest,
  KnowledgeArticle,
  WorkOrder,
  WorkOrderPage,
} from '../../types.js';

export const getAgentState = () => api.get<AgentState>('/api/agents/me/state');

export const setAgentState = (state: string) => api.post('/api/agents/me/state', { state });

export const getCall = (id: number) => api.get<CallDetail>(`/api/calls/${id}`);

export const answerCall = (id: number) => api.post(`/api/calls/${id}/answer`);

export const hangupCall = (id: number) => api.post(`/api/calls/${id}/hangup`);

/** The emergency route also stores the referral with the transcript excerpt and the address. */
export const transferEmergency = (body: EmergencyTransferRequest) => api.post('/api/emergency/transfer', body);

export const classify = (text: string, address: string) =>
  api.post<ClassifyResult>('/api/classify', { text, topK: 3, ...(address ? { address } : {}) } satisfies ClassifyRequest);

/** POST /api/work-orders; `submit: false` keeps the case with the agent, who resolves it on the call. */
export const createWorkOrder = (body: CreateWorkOrderRequest) => api.post<CreatedWorkOrder>('/api/work-orders', body);

export const resolveOnCall = (wo: Pick<WorkOrder, 'id' | 'version'>, result: string | undefined) =>
  api.post(`/api/work-orders/${wo.id}/transitions`, { action: 'resolve_on_call', result, version: wo.version });

/** The caller's earlier cases, by a phone number's digits. */
export const earlierCases = (phoneDigits: string) => api.get<WorkOrderPage>('/api/work-orders', { q: phoneDigits, pageSize: 5 });

export const searchKnowledge = (q: string) => api.get<KnowledgeArticle[]>('/api/knowledge', { q, limit: 5 });
