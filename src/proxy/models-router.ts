import { Router, type Request, type Response } from 'express';
import { modelNotFound } from '../shared/errors.js';
import type { ModelSpec, Snapshot } from '../runtime/snapshot.js';
import type { SnapshotHolder } from '../runtime/snapshot-holder.js';

/** The models a request may see; the auth layer narrows this to a key's allow-list. */
export type VisibleModels = (snapshot: Snapshot, req: Request) => ReadonlySet<string> | null;

/** `GET /v1/models` and `GET /v1/models/{id}` in OpenAI's list/object shape, from the snapshot. */
export function modelsRouter(holder: SnapshotHolder, visible: VisibleModels = () => null): Router {
  const router = Router();
  router.get('/models', function listModels(req: Request, res: Response) {
    const snapshot = holder.current();
    const allowed = visible(snapshot, req);
    const data = [...snapshot.models.values()]
      .filter((model) => model.enabled && (allowed === null || allowed.has(model.id)))
      .map((model) => modelObject(model, snapshot));
    res.json({ object: 'list', data });
  });
  // Model ids may contain '/', e.g. `openai/gpt-4o`.
  router.get('/models/*id', function getModel(req: Request, res: Response) {
    const snapshot = holder.current();
    const param = req.params.id as unknown as string[] | string;
    const name = Array.isArray(param) ? param.join('/') : param;
    const model = snapshot.modelByName.get(name);
    const allowed = visible(snapshot, req);
    if (model === undefined || !model.enabled || (allowed !== null && !allowed.has(model.id))) throw modelNotFound(name);
    res.json(modelObject(model, snapshot));
  });
  return router;
}

function modelObject(model: ModelSpec, snapshot: Snapshot) {
  return {
    id: model.id,
    object: 'model' as const,
    created: Math.floor(snapshot.loadedAt.getTime() / 1000),
    owned_by: 'codex-lb',
    name: model.name,
  };
}
