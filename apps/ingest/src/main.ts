import './tracing';
import 'reflect-metadata';
import { bootstrapService } from '@hookpost/runtime';
import { ingestEnvShape } from './env';
import { IngestModule } from './ingest.module';

bootstrapService({ name: 'ingest', envShape: ingestEnvShape, module: IngestModule.forRoot });
