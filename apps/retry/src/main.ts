import './tracing';
import 'reflect-metadata';
import { bootstrapService } from '@hookpost/runtime';
import { retryEnvShape } from './env';
import { RetryModule } from './retry.module';

bootstrapService({ name: 'retry', envShape: retryEnvShape, module: RetryModule.forRoot });
