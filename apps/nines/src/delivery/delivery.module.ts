import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { roleModule } from '../runtime/role-module';
import { DeliveryService } from './delivery.service';
import { NotificationQueue } from './notification-queue';

/** Notifications: the queue every stage hands its outbox rows to, and (worker) their delivery. */
@Module({})
export class DeliveryModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(DeliveryModule, roles, (has) => ({
      providers: [NotificationQueue, ...(has('worker') ? [DeliveryService] : [])],
      exports: [NotificationQueue],
    }));
  }
}
