import { Injectable } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  type FieldError,
  type LdapGroupRoleMappingsReply,
  type LdapSaveGroupRoleMappingsRequestDto,
} from '@gatehouse/contracts';
import { normalizeDn } from '../ldap/ldap-escape';
import { formatSeedDate } from '../ldap-settings/ldap-settings.service';
import { checkDn } from '../ldap-settings/ldap-settings.validators';
import { GroupRoleMappingRepository, type MappingRow } from './group-role-mapping.repository';
import { GroupSyncRepository } from './group-sync.repository';

const ITEM_KEYS = ['groupDN', 'system', 'role'];

/**
 * Directory group → role mappings per tenant (issue #4: `cn=tts-technicians,…` gives TTS
 * Technician). Saving validates every item (DN syntax, the system and the role exist), replaces
 * the list, and re-applies the mappings to the memberships the last sync stored, so a new or
 * removed mapping takes effect at once; membership changes take effect with the next sync.
 */
@Injectable()
export class GroupRoleMappingService {
  constructor(
    private readonly mappings: GroupRoleMappingRepository,
    private readonly groups: GroupSyncRepository,
  ) {}

  async list(tenantId: string): Promise<LdapGroupRoleMappingsReply> {
    const rows = await this.mappings.list(tenantId);
    return {
      mappings: rows.map((row) => ({
        groupDN: row.groupDN,
        system: row.system,
        role: row.role,
        groupName: row.groupName,
        createdBy: row.createdBy,
        creator: row.creator,
        createdDate: formatSeedDate(row.createdDate),
      })),
    };
  }

  async save(request: LdapSaveGroupRoleMappingsRequestDto): Promise<LdapGroupRoleMappingsReply> {
    const roleIds = await this.mappings.roleIds(request.tenantId);
    const errors: FieldError[] = [];
    const rows = new Map<string, MappingRow>();
    request.mappings.forEach((item: unknown, index) => {
      const field = (name: string): string => `mappings[${index}].${name}`;
      const record = item as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!ITEM_KEYS.includes(key)) {
          errors.push({ field: field(key), message: `property ${key} should not exist` });
        }
      }
      const { groupDN, system, role } = record;
      if (typeof groupDN !== 'string' || groupDN.length > 1024) {
        errors.push({
          field: field('groupDN'),
          message: 'groupDN must be a string of at most 1024 characters',
        });
        return;
      }
      const dnError = checkDn(groupDN);
      if (dnError) errors.push({ field: field('groupDN'), message: `groupDN ${dnError}` });
      if (typeof system !== 'string' || typeof role !== 'string') {
        errors.push({ field: field('role'), message: 'system and role must be strings' });
        return;
      }
      const roleId = roleIds.get(`${system}/${role}`);
      if (!roleId) {
        errors.push({
          field: field('role'),
          message: `role ${role} of system ${system} does not exist`,
        });
        return;
      }
      if (dnError) return;
      const groupDnKey = normalizeDn(groupDN);
      rows.set(`${groupDnKey}\n${roleId}`, { groupDn: groupDN.trim(), groupDnKey, roleId });
    });
    if (errors.length > 0) throw new DomainError(ErrorCode.ValidationFailed, undefined, errors);
    await this.mappings.transaction(async (manager) => {
      await this.mappings.replace(manager, request.tenantId, [...rows.values()], {
        id: request.actorId,
        name: request.actorName,
      });
      await this.groups.applyRoleMappings(manager, request.tenantId);
    });
    return this.list(request.tenantId);
  }
}
