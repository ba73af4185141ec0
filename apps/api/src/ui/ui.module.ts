import { Module } from '@nestjs/common';
import { UiController } from './ui.controller';

/** Serves the demo UI (`/`, `/ui/*`, `/vendor/*`); see docs/ui.md. */
@Module({ controllers: [UiController] })
export class UiModule {}
