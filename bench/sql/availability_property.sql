-- The raw-SQL limit for one property's availability: an anti-join that probes the
-- exclusion constraint's GiST index (room_id =, daterange &&) once per room.
\set d random(1, 690)
\set n random(1, 7)
SELECT r.id, r.number, r.property_id, r.room_type_id, t.name, t.capacity, t.nightly_rate,
       p.currency
FROM rooms_room r
JOIN rooms_roomtype t ON t.id = r.room_type_id
JOIN rooms_property p ON p.id = r.property_id
WHERE r.property_id = :property AND r.is_active AND t.capacity >= :guests
  AND NOT EXISTS (
    SELECT 1 FROM bookings_booking b
    WHERE b.room_id = r.id AND b.status IN ('pending', 'confirmed', 'checked_in')
      AND daterange(b.check_in, b.check_out, '[)')
          && daterange(current_date + :d::int, current_date + :d::int + :n::int, '[)'))
ORDER BY r.property_id, t.nightly_rate, r.number;
