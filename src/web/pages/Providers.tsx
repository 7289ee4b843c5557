import { useState } from 'preact/hooks';
import { api, type GpuHistory, type GpuView } from '../api.js';
import { Badge, ErrorNote, Loading } from '../components/Status.js';
import { formatCount } from '../format.js';
import { useEvents, useInterval, useResource, useThrottled } from '../hooks.js';
import { GpuCard } from './providers/GpuCard.js';
import { GpuChart } from './providers/GpuChart.js';
import { OllamaCard } from './providers/OllamaCard.js';
import { ProviderCard } from './providers/ProviderCard.js';
import { WarmCard } from './providers/WarmCard.js';

const HOUR_MS = 3_600_000;
const POLL_MS = 10_000;

/** The upstreams' health, Ollama, the GPU now and over the last hour, and warming models. */
export function Providers({ timeZone }: { timeZone: string }) {
  const health = useResource(api.health, []);
  const history = useResource(api.gpuHistory, []);
  const [liveGpu, setLiveGpu] = useState<GpuView | undefined>(undefined);
  const refresh = useThrottled(health.reload, 300, 2000);
  useInterval(health.reload, POLL_MS);

  useEvents('types=gpu,provider,ollama,warmup', {
    gpu: (data) => {
      const view = data as GpuView;
      setLiveGpu(view);
      if (view.available !== true || !view.gpus || !view.at || !history.data) return;
      const since = Date.parse(view.at) - HOUR_MS;
      const points: GpuHistory['history'] = [...history.data.history.filter((point) => Date.parse(point.at) >= since), { at: view.at, gpus: view.gpus }];
      history.set({ history: points });
    },
    provider: refresh,
    ollama: refresh,
    warmup: refresh,
  });

  const data = health.data;
  const gpu = liveGpu ?? data?.gpu;
  const providers = Object.entries(data?.providers ?? {});
  const open = providers.filter(([, item]) => item.state !== 'closed').length;
  return (
    <>
      <div class="page-head">
        <h1>Providers &amp; GPU</h1>
        {data && (
          <p class="muted">
            Daemon {data.status === 'ok' ? <Badge tone="good">ok</Badge> : <Badge tone={data.status === 'degraded' ? 'warn' : 'bad'}>{data.status}</Badge>} · up {formatCount(Math.round(data.uptimeSeconds / 60))} min
            {open > 0 && ` · ${open} provider${open > 1 ? 's' : ''} failing`}
          </p>
        )}
      </div>
      {health.error && <ErrorNote error={health.error} retry={health.reload} />}
      {!data && !health.error && <Loading what="Reading the daemon's health" />}
      {data && gpu && (
        <div class="grid providers-grid">
          <GpuCard gpu={gpu} />
          <OllamaCard ollama={data.ollama} />
          <WarmCard onWarmed={health.reload} />
          {history.error ? <ErrorNote error={history.error} retry={history.reload} /> : history.data && <GpuChart history={history.data.history} timeZone={timeZone} noGpu={gpu.available === false} />}
          <h2 class="section-title span-full">Providers</h2>
          {providers.map(([id, item]) => (
            <ProviderCard key={id} id={id} health={item} timeZone={timeZone} />
          ))}
        </div>
      )}
    </>
  );
}
