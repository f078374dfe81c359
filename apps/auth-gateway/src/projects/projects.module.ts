import { Module } from '@nestjs/common';
import { PeersModule } from '../peers/peers.module';
import { ProjectsAdminService } from './projects-admin.service';
import { ProjectsController } from './projects.controller';

/** `/api/v1/projects`: seed 004's integration management, served by integration-gateway. */
@Module({
  imports: [PeersModule],
  controllers: [ProjectsController],
  providers: [ProjectsAdminService],
})
export class ProjectsModule {}
