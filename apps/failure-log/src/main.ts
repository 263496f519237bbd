import './tracing';
import 'reflect-metadata';
import { bootstrapService } from '@hookpost/runtime';
import { failureLogEnvShape } from './env';
import { FailureLogModule } from './failure-log.module';

bootstrapService({ name: 'failure-log', envShape: failureLogEnvShape, module: FailureLogModule.forRoot });
