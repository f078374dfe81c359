import { Controller, Get, Param } from '@nestjs/common';
import { type ApiEnvelope, type PingReply, successEnvelope } from '@gatehouse/contracts';
import { Public } from '../guards/auth.decorators';
import { PeersService } from './peers.service';

/** Operator diagnostics: round-trips a ping to a peer app over Redis-RPC. A peer that does not
 *  answer is a 503 PEER_TIMEOUT (or PEER_UNAVAILABLE when Redis itself is down). Public like
 *  /ready, which already tells the same: it answers only the peer's name and uptime. */
@Public()
@Controller('api/v1/system/peers')
export class PeersController {
  constructor(private readonly peers: PeersService) {}

  @Get(':peer/ping')
  async ping(@Param('peer') peer: string): Promise<ApiEnvelope<PingReply>> {
    return successEnvelope(await this.peers.ping(PeersService.parsePeer(peer)));
  }
}
