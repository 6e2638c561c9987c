import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'places' })
@Index(['name', 'id'])
export class PlaceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  city!: string;

  /** ISO 3166-1 alpha-2. */
  @Column({ type: 'text' })
  country!: string;

  @Column({ type: 'double precision' })
  latitude!: number;

  @Column({ type: 'double precision' })
  longitude!: number;

  /** IANA time zone, e.g. Europe/Berlin. */
  @Column({ type: 'text' })
  timezone!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
