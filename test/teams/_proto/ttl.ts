import mongoose from 'mongoose';
const c = await mongoose.createConnection('mongodb://127.0.0.1:27018/consortia_test_teams_proto').asPromise();
const col = c.db!.collection('seen');
try { console.log(await col.createIndex({ at: 1 }, { expireAfterSeconds: 2 })); } catch (e) { console.log('ERR', (e as Error).message); }
console.log(await col.indexes());
await col.insertOne({ _id: 'x' as never, at: new Date() });
try { await col.insertOne({ _id: 'x' as never, at: new Date() }); } catch (e) { console.log('dup', (e as { code?: number }).code); }
await c.dropDatabase(); await c.close();
