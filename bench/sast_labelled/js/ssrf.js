import express from 'express';
import axios from 'axios';

const router = express.Router();
const OLLAMA = process.env.OLLAMA_URL || 'http://localhost:11434';
const ALLOWED_ORIGINS = new Set(['https://huggingface.co', 'https://raw.githubusercontent.com']);

router.get('/api/fetch-model-card', async (req, res) => {
  const { url } = req.query;
  // vuln: ssrf
  const card = await fetch(url, { headers: { accept: 'text/markdown' } });
  res.type('text/markdown').send(await card.text());
});

router.post('/api/notify', async (req, res) => {
  // vuln: ssrf
  await axios.post(req.body.webhook, { text: `Job ${req.body.id} finished` });
  res.sendStatus(204);
});

router.get('/api/avatar', async (req, res) => {
  // safe: ssrf
  const r = await fetch(`https://www.gravatar.com/avatar/${encodeURIComponent(req.query.hash)}?d=identicon`);
  res.type('png').send(Buffer.from(await r.arrayBuffer()));
});

router.get('/api/card', async (req, res) => {
  const target = new URL(req.query.url);
  if (!ALLOWED_ORIGINS.has(target.origin)) {
    return res.status(403).json({ error: 'origin not allowed' });
  }
  // safe: ssrf
  const r = await fetch(target);
  res.send(await r.text());
});

router.post('/api/generate', async (req, res) => {
  // safe: ssrf
  const r = await axios.post(`${OLLAMA}/api/generate`, { model: req.body.model, prompt: req.body.prompt });
  res.json(r.data);
});

export default router;
