// The manifest example of DESIGN.md, shared by the tests that check it loads and validates.
export const DESIGN_EXAMPLE = `
name: shop
services:
  inventory:
    command: node services/inventory.js
    image: ghcr.io/acme/inventory:1.4
    replicas: 2
    port: 0
    env: { LOG_LEVEL: info }
    health: { http: /healthz, interval: 2s, timeout: 1s, healthy_after: 1, unhealthy_after: 3 }
    restart: on-failure
    importance: 2
  orders:
    command: node services/orders.js
    depends_on: { inventory: healthy }
selection:
  weights: { latency: 0.5, success: 0.3, load: 0.2 }
workflows: [workflows/place-order.yaml]
alerts:
  - name: OrdersDown
    when: ready_instances{service="orders"} < 1
    for: 30s
    notify: [{ webhook: http://127.0.0.1:9093/api/v2/alerts }]
`;
