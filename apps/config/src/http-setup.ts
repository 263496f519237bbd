import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { NoFilesInterceptor } from '@nestjs/platform-express';

/** Request bodies of the config API are small forms; anything larger is refused with 413. */
export const MAX_BODY_BYTES = 64 * 1024;

export const TOO_LARGE = { message: `Request body is too large (at most ${MAX_BODY_BYTES} bytes)` };

/** Multipart and urlencoded forms (Mailgun's clients send both); no files, bounded fields. */
export const FormBody = () =>
  NoFilesInterceptor({ limits: { fieldSize: MAX_BODY_BYTES, fields: 200, parts: 200 } });

/** Body parsers with the size limit, and a 413 before parsing when Content-Length already says too much. */
export function configureHttp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.use((req: Request, res: Response, next: NextFunction) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > MAX_BODY_BYTES) {
      res.status(413).json(TOO_LARGE);
      req.resume();
      return;
    }
    next();
  });
  express.useBodyParser('json', { limit: MAX_BODY_BYTES });
  express.useBodyParser('urlencoded', { limit: MAX_BODY_BYTES, extended: true, parameterLimit: 200 });
  express.disable('x-powered-by');
}
