import './tracing';
import 'reflect-metadata';
import { bootstrapService } from '@hookpost/runtime';
import { redactionEnvShape } from './env';
import { RedactionModule } from './redaction.module';

bootstrapService({ name: 'redaction', envShape: redactionEnvShape, module: RedactionModule.forRoot });
