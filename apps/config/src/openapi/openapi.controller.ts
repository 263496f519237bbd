import { Controller, Get } from '@nestjs/common';
import { OPENAPI_DOCUMENT, type OpenApiDocument } from './openapi.document';

/** `GET /openapi.json`: this API's OpenAPI 3.1 document; public, like Mailgun's published reference. */
@Controller()
export class OpenApiController {
  @Get('openapi.json')
  document(): OpenApiDocument {
    return OPENAPI_DOCUMENT;
  }
}
