import './style.css';
import { verifyReceipt } from '../../src/receipt/index.js';
import { hashFiles } from '../shared/hash-client.js';

(globalThis as Record<string, unknown>).cunzheng = { verifyReceipt, hashFiles };
document.getElementById('app')!.textContent = '存证回执验证';
