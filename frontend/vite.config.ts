// Builds the UI into the Python package's static folder; `npm run dev` proxies /api to `kozak up`.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "../src/kozak/server/static",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500, // ECharts alone is ~1 MB before compression
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8000" },
  },
});
