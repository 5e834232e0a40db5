/** The shapes the console reads: one definition with the server's (libs/console/src/cards.ts). */
export type { IncidentBadge, IncidentCard, MemberCard, Overview, SystemCard, TargetCard } from '../../../libs/console/src/cards';
