// Minimal stand-in for @grafana/runtime (a browser-only package we do NOT install).
// Only the names imported by the Scenes interpolation closure and by
// @grafana/prometheus/dist/esm/escaping.mjs are provided.
export const config = {
  featureToggles: { prometheusSpecialCharsInLabelValues: false }, // Grafana 13 default: false
  bootData: { user: { weekStart: '', timezone: 'browser', login: 'admin', email: '', id: 1 } },
  appSubUrl: '',
  namespace: 'default',
};
export class RefreshEvent { static type = 'refresh'; constructor(payload) { this.type = 'refresh'; this.payload = payload; } }
export const locationService = {
  getLocation: () => ({ pathname: '/', search: '', hash: '' }),
  getSearchObject: () => ({}),
  getSearch: () => new URLSearchParams(),
  partial() {}, push() {}, replace() {},
};
export const useLocationService = () => locationService;
export const ScopesContext = undefined;
