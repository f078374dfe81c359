import { Module } from '@nestjs/common';
import { PEER_CLIENT_PROVIDERS } from './peer-clients';
import { PeersController } from './peers.controller';
import { PeersService } from './peers.service';

@Module({
  controllers: [PeersController],
  providers: [...PEER_CLIENT_PROVIDERS, PeersService],
  exports: [PeersService, ...PEER_CLIENT_PROVIDERS],
})
export class PeersModule {}
