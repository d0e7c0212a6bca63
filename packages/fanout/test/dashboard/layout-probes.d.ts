export function pageWidths(): { scroll: number; client: number; wide: string[] };
export function wordsCutByWrapping(element: unknown): string[];
export function backgrounds(): { body: string; card: string };
export function isOpen(dialog: unknown): boolean;
