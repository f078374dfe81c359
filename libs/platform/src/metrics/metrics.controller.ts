import { Public } from '../http/public.decorator';
import { Controller, Get, Header } from '@nestjs/common';
import { PROBE_PATHS } from '@gatehouse/contracts';
import { MetricsService } from './metrics.service';

@Public()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get(PROBE_PATHS.metrics)
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
