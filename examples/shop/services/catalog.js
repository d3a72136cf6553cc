// catalog: the product list with prices. Stateless, so it can run several replicas.
//   GET /products        every product
//   GET /products/:id    one product, 404 if unknown
import { json, serve } from './lib/http.js';

const PRODUCTS = [
  { id: 'espresso', name: 'Espresso beans, 1 kg', price: 24.5 },
  { id: 'grinder', name: 'Burr grinder', price: 139 },
  { id: 'kettle', name: 'Gooseneck kettle', price: 59.9 },
  { id: 'filter', name: 'Paper filters, 100', price: 6.2 },
  { id: 'scale', name: 'Brew scale', price: 34 },
];
const byId = new Map(PRODUCTS.map((p) => [p.id, p]));
const instance = process.env.TUTTI_INSTANCE ?? 'catalog-local';

serve({
  name: 'catalog',
  handle(req, res, url) {
    if (req.method !== 'GET') return false;
    if (url.pathname === '/products') {
      return json(res, 200, { products: PRODUCTS, served_by: instance });
    }
    const match = /^\/products\/([\w-]+)$/.exec(url.pathname);
    if (match) {
      const product = byId.get(match[1]);
      return product
        ? json(res, 200, { ...product, served_by: instance })
        : json(res, 404, { error: `no product ${match[1]}` });
    }
    return false;
  },
});
