import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { roleModule } from '../runtime/role-module';
import { DeliveryService } from './delivery.service';
import { NotificationQueue } from './notification-queue';
import { NotificationRepository } from '../../../../libs/notify/src/notification.repository';
import { Outbox } from '../../../../libs/notify/src/outbox';

/** How every stage hands notifications on: outbox rows first, then the queue. */
const outbox = { provide: Outbox, useFactory: (q: NotificationQueue, log: NotificationRepository) => new Outbox(q, log), inject: [NotificationQueue, NotificationRepository] };

/** Notifications: the queue every stage hands its outbox rows to, and (worker) their delivery. */
@Module({})
export class DeliveryModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(DeliveryModule, roles, (has) => ({
      providers: [NotificationQueue, outbox, ...(has('worker') ? [DeliveryService] : [])],
      exports: [NotificationQueue, outbox],
    }));
  }
}
