import './tracing';
import 'reflect-metadata';
import { bootstrapService } from '@hookpost/runtime';
import { fanOutEnvProblems, fanOutEnvShape } from './env';
import { FanOutModule } from './fan-out.module';

bootstrapService({
  name: 'fan-out',
  envShape: fanOutEnvShape,
  envProblems: fanOutEnvProblems,
  module: FanOutModule.forRoot,
});
