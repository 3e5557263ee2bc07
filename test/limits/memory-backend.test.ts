import { MemoryLimiterBackend } from '../../src/limits/memory-backend.js';
import { describeLimiterBackend } from './backend-conformance.js';

describeLimiterBackend('memory', async () => new MemoryLimiterBackend());
