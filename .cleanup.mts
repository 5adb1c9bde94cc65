import mongoose from 'mongoose';
const c = await mongoose.createConnection('mongodb://127.0.0.1:27027/consortia_test_x').asPromise();
await c.dropDatabase(); await c.close();
const admin = await mongoose.createConnection('mongodb://127.0.0.1:27027/admin').asPromise();
const dbs = await admin.db!.admin().listDatabases();
console.log(dbs.databases.map((d) => d.name).filter((n) => /bench_nudges|demo_|probe/.test(n)));
await admin.close();
